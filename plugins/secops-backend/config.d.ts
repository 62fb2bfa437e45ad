import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    /**
     * Entity refs whose github.com/project-slug the portal trusts although
     * the entity was not registered from that repository (for example the
     * components of a monorepo registered from a central catalog file).
     * Any other entity gets GitHub alerts, delivery measures and SLO files
     * only from the repository it was registered from. Read by the SecOps
     * and SRE backends.
     */
    trustedProjectSlugs?: string[];
  };
  secops?: {
    limits?: {
      /** Largest report accepted, after decompression, in bytes. Default 256 MiB. */
      maxReportBytes?: number;
      /** Largest upload as sent (compressed or not), in bytes. Default 128 MiB. */
      maxCompressedBytes?: number;
      /**
       * Reports up to this size (decompressed) are decoded whole, which is
       * fastest; larger JSON reports are read as streams with the memory of
       * one result at a time, and larger XML reports are refused with 413.
       * Default 16 MiB.
       */
      maxInMemoryBytes?: number;
      /** Most findings one report may hold. Default 100000. */
      maxFindings?: number;
    };
    /**
     * Days to fix an open finding, by severity, counted from when it was first
     * seen. A severity left out has no deadline. Defaults: critical 7, high
     * 30, medium 90, low 180.
     */
    /**
     * Gate policies, owned by SecOps: the first whose match fits an entity
     * applies. Without any, the gate is: no open critical, no high older than
     * 30 days.
     */
    gates?: Array<{
      name: string;
      /** Every field given must match (any of its values). */
      match?: {
        kind?: string[];
        type?: string[];
        lifecycle?: string[];
        tags?: string[];
        system?: string[];
      };
      rules: Array<{
        /** This severity or worse counts. */
        severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
        /** How many may be open; default 0. */
        maxOpen?: number;
        /** Only findings first seen more than this many days ago count. */
        maxAgeDays?: number;
      }>;
    }>;
    /**
     * Pull GitHub code-scanning and Dependabot alerts for entities with a
     * github.com/project-slug annotation, with the GitHub integration's
     * credentials. Only for entities registered from that repository, or
     * listed in catalog.trustedProjectSlugs. Leave out to not pull.
     */
    github?: {
      /**
       * When alerts are pulled: Backstage's task schedule shape
       * (frequency, timeout, initialDelay), or the older frequencyMinutes
       * (default 60) and timeoutMinutes (default 15).
       */
      schedule?:
        | SchedulerServiceTaskScheduleDefinitionConfig
        | {
            /** @deprecated Use frequency. */
            frequencyMinutes?: number;
            /** @deprecated Use timeout. */
            timeoutMinutes?: number;
          };
    };
    /** Push the event log (OCSF NDJSON) to SIEM webhooks. */
    siem?: {
      /**
       * When the event log is pushed, in Backstage's task schedule shape.
       * Default: every 60 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Seconds between pushes, when `schedule` is not set.
       * @deprecated Use schedule.frequency.
       */
      frequencySeconds?: number;
      webhooks?: Array<{
        name: string;
        url: string;
        /**
         * Sent with every request, e.g. an Authorization header.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /** Events per request; default 500. */
        batchSize?: number;
      }>;
    };
    sla?: {
      critical?: number;
      high?: number;
      medium?: number;
      low?: number;
      info?: number;
    };
  };
}
