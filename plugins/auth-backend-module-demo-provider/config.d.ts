export interface Config {
  auth?: {
    providers?: {
      /**
       * The local demo sign-in provider: pick any catalog user. Never set this
       * in production.
       */
      demo?: {
        /** Start even when NODE_ENV is production. Do not. */
        dangerouslyAllowInProduction?: boolean;
        /**
         * Accept sign-ins from other machines, not only from this one
         * (loopback addresses, with no forwarded address from elsewhere).
         * Whoever reaches the portal can then be any user, an admin too.
         */
        dangerouslyAllowRemote?: boolean;
      };
    };
  };
}
