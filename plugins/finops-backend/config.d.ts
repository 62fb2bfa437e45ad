import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

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
    /** Billing sources the plugin pulls (Cost Explorer, and those modules add). */
    sources?: {
      /**
       * When each source is pulled, in Backstage's task schedule shape
       * (frequency, timeout, initialDelay). Default: every 6 hours.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    limits?: {
      /** Largest FOCUS upload in bytes (after decompression). Default 512 MiB. */
      maxUploadBytes?: number;
      /** Most lines in one FOCUS file. Default 20,000,000. */
      maxRows?: number;
    };
    /**
     * Shared spend split across groups: a shared entity's spend (a cluster,
     * a support plan catalogued as a resource), or the unattributed spend of
     * a cloud service. The spend stays with its owner as direct cost; the
     * groups in `to` see their share as allocated cost.
     */
    allocation?: Array<{
      name: string;
      match: {
        /** The shared entity's ref. */
        entityRef?: string;
        /** Or the cloud service whose unattributed spend is shared. */
        service?: string;
      };
      /** even, or proportional to the groups' direct spend (the default). */
      method?: 'even' | 'proportional';
      /** The groups that share it. */
      to: string[];
    }>;
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
