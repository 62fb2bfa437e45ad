export interface Config {
  finops?: {
    /**
     * Kubernetes spend from OpenCost's allocation API, attributed by the
     * workloads' cost-entity label (the golden path's manifests carry it).
     */
    opencost?: {
      /** OpenCost's API, e.g. http://opencost.opencost:9003. */
      url: string;
      /** The cluster's name, shown as the account of its lines. */
      cluster: string;
      /**
       * The workload label whose value names the catalog entity
       * (kind.namespace.name). Default: portal.acme.example/cost-entity.
       */
      label?: string;
      /** Days read on the first refresh (30). */
      backfillDays?: number;
      /** Days read again on each refresh, as OpenCost settles them (2). */
      refreshDays?: number;
      /** Currency of OpenCost's figures (its pricing's; USD). */
      currency?: string;
    };
  };
}
