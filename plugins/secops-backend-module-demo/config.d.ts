export interface Config {
  secops?: {
    /**
     * Reports to load at start for demo entities (the embedded default; read
     * by @portal/plugin-secops-backend-module-demo, which only the embedded
     * default's backend installs), through the same ingestion as uploads.
     * Paths are relative to the backend's working directory.
     */
    demoReports?: Array<{
      entityRef: string;
      tool: string;
      format?: string;
      file: string;
    }>;
  };
}
