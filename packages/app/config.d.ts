export interface Config {
  app?: {
    signIn?: {
      /**
       * Which sign-in page the app shows: `demo` (pick any catalog user,
       * local only) or `github`.
       * @visibility frontend
       */
      provider?: 'demo' | 'github';
    };
  };
}
