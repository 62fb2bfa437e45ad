export interface Config {
  goldenPath?: {
    /**
     * The embedded default publishes new services to local git repositories
     * (no GitHub needed); its catalog module
     * (@portal/plugin-catalog-backend-module-golden-path-demo) registers
     * them in the catalog from there.
     */
    local?: {
      /**
       * Folder of the local repositories, relative to the backend's working
       * directory. Default: ../../data/repositories.
       */
      repositoriesDir?: string;
    };
    /**
     * Where the Adoption page finds repositories, besides the local ones:
     * a GitHub organisation, read with the GitHub integration's
     * credentials (its repositories' catalog-info.yaml and workflows).
     */
    discovery?: {
      github?: {
        /** The organisation (for example acme-commerce). */
        org?: string;
        /** At most this many repositories, the first by name (2000). */
        maxRepositories?: number;
      };
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
