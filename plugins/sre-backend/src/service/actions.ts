/*
 * The SRE plugin's actions, for assistants over MCP (issue 14): read-only,
 * typed, paged, run with the caller's credentials through the same
 * ReliabilityService as the routes, so that an action answers exactly what
 * the Reliability tabs would show the same person.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  ActionZod,
  entityOrGroupInput,
  entityOrGroupOf,
  mapPage,
  pageInput,
  pageOutput,
  READ_ONLY_ACTION,
} from '@portal/request-validation';
import { ReliabilityService } from './ReliabilityService';

export function registerSreActions(
  actions: ActionsRegistryService,
  reliability: ReliabilityService,
) {
  actions.register({
    name: 'get-slos',
    title: 'SLOs and error budgets',
    description:
      "The SLOs of an entity, or of everything a group and the groups below it own, worst first: the SLI, the target, the error budget left (1 = untouched, 0 = spent, negative = overspent), burn rates over 5m to 3d (1 = spending exactly the budget) and the status (exhausted, burning-fast, burning, ok, no-data). Use it for 'is X burning its error budget?'.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z => z.object({ ...entityOrGroupInput(z), ...pageInput(z) }),
      output: z =>
        pageOutput(z, {
          id: z.string(),
          entityRef: z.string(),
          name: z.string(),
          displayName: z.string(),
          target: z.number(),
          window: z.string(),
          sli: z.number().nullable(),
          errorBudgetRemaining: z.number().nullable(),
          burnRates: z.record(z.number().nullable().optional()),
          status: z.string(),
          evaluatedAt: z.string().optional(),
          lastError: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { entityRef, groupRef } = entityOrGroupOf(input);
      const query = { cursor: input.cursor, limit: input.limit };
      const found = groupRef
        ? await reliability.groupSlos(credentials, groupRef, query)
        : await reliability.entitySlos(credentials, entityRef!, query);
      return {
        output: mapPage(found, slo => ({
          id: slo.id,
          entityRef: slo.entityRef,
          name: slo.name,
          displayName: slo.displayName,
          target: slo.target,
          window: slo.window,
          sli: slo.sli,
          errorBudgetRemaining: slo.errorBudgetRemaining,
          burnRates: { ...slo.burnRates },
          status: slo.status,
          evaluatedAt: slo.evaluatedAt,
          lastError: slo.lastError,
        })),
      };
    },
  });

  actions.register({
    name: 'get-alerts',
    title: 'Alerts',
    description:
      'Alertmanager alerts on an entity, or on everything a group and the groups below it own, newest first; status filters firing or resolved ones.',
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          ...entityOrGroupInput(z),
          ...pageInput(z),
          status: z.enum(['firing', 'resolved']).optional(),
        }),
      output: z =>
        pageOutput(z, {
          id: z.string(),
          entityRef: z.string(),
          alertName: z.string(),
          status: z.enum(['firing', 'resolved']),
          severity: z.string().optional(),
          summary: z.string().optional(),
          startsAt: z.string(),
          endsAt: z.string().optional(),
          generatorUrl: z.string().optional(),
          receivedAt: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { entityRef, groupRef } = entityOrGroupOf(input);
      const query = {
        cursor: input.cursor,
        limit: input.limit,
        status: input.status,
      };
      return {
        output: groupRef
          ? await reliability.groupAlerts(credentials, groupRef, query)
          : await reliability.entityAlerts(credentials, entityRef!, query),
      };
    },
  });

  const measures = (z: ActionZod) => ({
    deployments: z.number(),
    deploymentsPerDay: z.number(),
    leadTimeHours: z.number().nullable(),
    changeFailureRate: z.number().nullable(),
    timeToRestoreHours: z.number().nullable(),
  });

  actions.register({
    name: 'get-delivery-metrics',
    title: 'Delivery metrics (DORA)',
    description:
      "The four DORA measures (deployment frequency, lead time for changes, change failure rate, time to restore) of an entity, or of a group's entities and the group together, from GitHub deployments or releases over the last period.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z => z.object(entityOrGroupInput(z)),
      output: z =>
        z.object({
          configured: z.boolean(),
          team: z.object({ entities: z.number(), ...measures(z) }).optional(),
          entities: z.array(
            z.object({
              entityRef: z.string(),
              signal: z.string(),
              periodDays: z.number(),
              incidents: z.number(),
              computedAt: z.string(),
              lastError: z.string().optional(),
              ...measures(z),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const { entityRef, groupRef } = entityOrGroupOf(input);
      if (groupRef) {
        return {
          output: await reliability.groupDelivery(credentials, groupRef),
        };
      }
      const { configured, metrics } = await reliability.entityDelivery(
        credentials,
        entityRef!,
      );
      return { output: { configured, entities: metrics ? [metrics] : [] } };
    },
  });
}
