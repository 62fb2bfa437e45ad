export interface Config {
  finops?: {
    /**
     * The cost-allocation tag key. Its value on a cloud resource is the ref
     * of the owning catalog entity ("component:default/payments-api"); the
     * golden-path IaC modules stamp it. Default "portal-entity-ref".
     */
    costAllocationTag?: string;
    /** ISO 4217 currency the portal reports in. Default USD. */
    currency?: string;
    focus?: {
      /**
       * The FOCUS column that counts: EffectiveCost (amortised, the
       * default), BilledCost, ListCost or ContractedCost.
       */
      costColumn?: string;
    };
    limits?: {
      /** Largest FOCUS upload in bytes (after decompression). Default 512 MiB. */
      maxUploadBytes?: number;
      /** Most lines in one FOCUS file. Default 20,000,000. */
      maxRows?: number;
    };
    /**
     * Generate a year of demo spend for the demo organisation and import it
     * through the FOCUS import (the embedded default). Default false.
     */
    demo?: boolean;
    anomaly?: {
      /** Days of an entity's own history a day is compared with. Default 14. */
      baselineDays?: number;
      /** How many times its recent average a day must cost. Default 2. */
      factor?: number;
      /** Smallest excess over the average worth an alert. Default 20. */
      minimumExcess?: number;
    };
  };
}
