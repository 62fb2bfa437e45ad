export interface Config {
  finops?: {
    /**
     * Generate a year of demo spend for the demo organisation, as a cost
     * source marked as demo data in the views (the embedded default; read by
     * @portal/plugin-finops-backend-module-demo, which only the embedded
     * default's backend installs). Default false.
     */
    demo?: boolean;
  };
}
