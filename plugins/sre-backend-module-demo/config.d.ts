export interface Config {
  sre?: {
    /**
     * The embedded default's demo (read by
     * @portal/plugin-sre-backend-module-demo, which only the embedded
     * default's backend installs): a local Prometheus, when the binary is
     * installed, with backfilled demo traffic, scraping the backend's demo
     * metrics.
     */
    demo?: {
      /** Its data folder, relative to the backend's working directory. */
      dataDir: string;
      /** Default 9464. */
      port?: number;
      /** The Prometheus binary. Default: prometheus on PATH. */
      binary?: string;
      /** Its promtool, for the backfill. Default: promtool on PATH. */
      promtool?: string;
    };
  };
}
