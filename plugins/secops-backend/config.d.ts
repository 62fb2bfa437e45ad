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
     * Internet-facing services (annotation portal.io/internet-facing: "true",
     * or a Kubernetes Ingress labelled with the entity's
     * backstage.io/kubernetes-id in a cluster of
     * kubernetes.clusterLocatorMethods) without a recent dynamic scan are
     * flagged on the Security views.
     */
    compliance?: {
      /**
       * More compliance frameworks, as files mapping controls to scorecard
       * checks (the format of compliance/soc2.yaml), besides SOC 2 and
       * HITRUST CSF. Paths relative to the backend's working directory.
       */
      frameworks?: string[];
    };
    exposure?: {
      /** Days after which a DAST scan no longer counts. Default 30. */
      dastMaxAgeDays?: number;
      /** Tools whose uploads are dynamic scans, besides ZAP-format reports. Default [zap]. */
      dastTools?: string[];
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
     * Exploitability: CISA's Known Exploited Vulnerabilities catalog and
     * FIRST's EPSS scores, imported on a schedule and joined on the findings'
     * CVEs (a known-exploited flag, the EPSS score and percentile). Leave out
     * (or enabled: false) to not import. Each source is read from its file
     * when one is given, else from its URL (by default the published one);
     * JSON or CSV, gzip-compressed or not.
     */
    /**
     * The portal's sweep for personal data and secrets: every component's,
     * API's, resource's and system's catalog metadata and, in
     * repositoriesDir, the files of the local repository it was registered
     * from. Without the block, no sweep.
     */
    personalData?: {
      /** Default true once the block is there. */
      enabled?: boolean;
      /** Local repositories (the embedded default's golden-path ones). */
      repositoriesDir?: string;
      /** Default: every 6 hours, first 2 minutes after start. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    exploitability?: {
      /** Default true once the block is there. */
      enabled?: boolean;
      /**
       * CISA's catalog. Default
       * https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
       */
      kevUrl?: string;
      /**
       * FIRST's daily scores. Default
       * https://epss.empiricalsecurity.com/epss_scores-current.csv.gz
       */
      epssUrl?: string;
      /** A KEV file on disk instead of kevUrl (relative to the backend's folder). */
      kevFile?: string | null;
      /** An EPSS file on disk instead of epssUrl (relative to the backend's folder). */
      epssFile?: string | null;
      /** Largest file read, as stored and decompressed, in bytes. Default 64 MiB. */
      maxBytes?: number;
      /**
       * When to import: Backstage's task schedule shape. Default daily, the
       * first import 10 seconds after start.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
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
