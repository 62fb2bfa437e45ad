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
  sre?: {
    /** Prometheus servers that answer SLOs whose metricSource type is Prometheus. */
    prometheus?: Array<{
      name: string;
      /** Base URL, e.g. http://prometheus:9090 */
      url: string;
      /** Per query; a slower answer counts as an error. Default 10000. */
      timeoutMs?: number;
    }>;
    evaluation?: {
      /**
       * When every SLO is evaluated (frequency, timeout, initialDelay), in
       * Backstage's task schedule shape. Default: every 60 seconds.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How often every SLO is evaluated, when `schedule` is not set.
       * @deprecated Use schedule.frequency.
       */
      frequencySeconds?: number;
      /** Queries in flight at once. Default 16. */
      concurrency?: number;
    };
    /**
     * Links to every entity's dashboards, logs and traces. {{name}},
     * {{namespace}}, {{kubernetes-id}} and {{kubernetes-namespace}} are
     * filled in; an entity's acme.example/dashboard-url, logs-url and
     * traces-url annotations win over these.
     */
    observability?: Array<{
      kind: 'dashboards' | 'logs' | 'traces';
      title: string;
      url: string;
    }>;
    /**
     * DORA measures from GitHub for entities with github.com/project-slug
     * (needs a token in integrations.github), only for entities registered
     * from that repository or listed in catalog.trustedProjectSlugs. Per entity,
     * acme.example/dora-signal (deployments or releases),
     * acme.example/dora-environment and acme.example/dora-incident-label.
     */
    delivery?: {
      /** The period measured. Default 30. */
      periodDays?: number;
      /**
       * When the measures are computed, in Backstage's task schedule shape.
       * Default: every 6 hours.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Hours between computations, when `schedule` is not set.
       * @deprecated Use schedule.frequency.
       */
      frequencyHours?: number;
    };
    alertmanager?: {
      /**
       * Alert labels that name the entity, first found wins: an entity ref
       * or a component name. Default backstage_entity, entity, service.
       */
      entityLabels?: string[];
    };
  };
}
