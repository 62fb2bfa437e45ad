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
      };
    };
  };
}
