export interface Config {
  goldenPath?: {
    /**
     * The embedded default publishes new services to local git repositories
     * (no GitHub needed) and registers them in the catalog from there.
     */
    local?: {
      /**
       * Folder of the local repositories, relative to the backend's working
       * directory. Default: ../../data/repositories.
       */
      repositoriesDir?: string;
      /**
       * Repositories made from folders on first start (the demo ones).
       * `from` is relative to the backend's working directory.
       */
      seed?: Array<{ name: string; from: string }>;
    };
    /** The infrastructure modules the "Add a resource" template renders. */
    iac?: {
      /** The sizes catalogue (templates/iac/sizes.yaml of this repository). */
      sizesFile?: string;
      /**
       * Terraform module source per type; `{type}` is replaced by the
       * resource type (database, queue, bucket, cache).
       */
      moduleSource?: string;
    };
  };
}
