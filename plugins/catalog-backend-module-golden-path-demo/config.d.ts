export interface Config {
  goldenPath?: {
    local?: {
      /**
       * Repositories made from folders on first start (the embedded
       * default's demo ones; read by
       * @portal/plugin-catalog-backend-module-golden-path-demo, which only
       * the embedded default's backend installs). `from` is relative to the
       * backend's working directory.
       */
      seed?: Array<{ name: string; from: string }>;
    };
  };
}
