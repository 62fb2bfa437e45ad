/*
 * The FinOps plugin's actions, for assistants over MCP (issue 14): read-only,
 * typed, paged, run with the caller's credentials through the same
 * FinopsReader as the routes, so that an action answers exactly what the
 * Cost tabs and the finance page would show the same person.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { CostShare, CostSummary } from '@portal/plugin-finops-common';
import { RESOURCE_TYPES } from '@portal/plugin-finops-node';
import {
  ActionZod,
  entityOrGroupInput,
  entityOrGroupOf,
  entityRefOf,
  groupRefInput,
  groupRefOf,
  mapPage,
  OFFSET_CURSOR,
  pageInput,
  productRefInput,
  READ_ONLY_ACTION,
} from '@portal/request-validation';
import { round } from './figures';
import { FinopsReader } from './FinopsReader';

const days = (z: ActionZod) =>
  z
    .number()
    .int()
    .min(1)
    .max(400)
    .default(30)
    .describe(
      'The period in days, up to the newest day with data; compared with the same number of days before it',
    );

/** The change from the period before, and in per cent of it (null from nothing). */
function change(amount: number, previous: number) {
  return {
    change: round(amount - previous),
    changePercent: previous
      ? Math.round(((amount - previous) / previous) * 1000) / 10
      : null,
  };
}

const moved = (z: ActionZod) => ({
  amount: z.number(),
  previous: z.number().describe('In the period before'),
  change: z.number(),
  changePercent: z.number().nullable(),
});

const shareOf = (share: CostShare) => ({
  key: share.key,
  title: share.title,
  amount: share.amount,
  previous: share.previous,
  ...change(share.amount, share.previous),
});

const shareSchema = (z: ActionZod) =>
  z.object({ key: z.string(), title: z.string().optional(), ...moved(z) });

/** What a cost summary's figures look like to a tool. */
const summarySchema = (z: ActionZod) => ({
  ref: z.string(),
  currency: z.string(),
  from: z.string(),
  to: z.string(),
  total: z.number(),
  previousTotal: z.number().describe('The same number of days before'),
  change: z.number(),
  changePercent: z.number().nullable(),
  byService: z.array(shareSchema(z)),
  monthly: z
    .array(z.object({ month: z.string(), amount: z.number() }))
    .describe('The last 13 months, to the month of `to`'),
  daily: z
    .array(z.object({ day: z.string(), amount: z.number() }))
    .optional()
    .describe('Each day of the period, when asked for'),
  estimatedFrom: z
    .string()
    .optional()
    .describe('From this day the figures are estimates, not yet billed'),
  demo: z.boolean().describe('Whether these are demo figures'),
});

function summaryOf(summary: CostSummary, withDaily: boolean) {
  return {
    ref: summary.ref,
    currency: summary.currency,
    from: summary.from,
    to: summary.to,
    total: summary.total,
    previousTotal: summary.previousTotal,
    ...change(summary.total, summary.previousTotal),
    byService: summary.byService.map(shareOf),
    monthly: summary.monthly.map(p => ({ month: p.period, amount: p.amount })),
    daily: withDaily
      ? summary.daily.map(p => ({ day: p.period, amount: p.amount }))
      : undefined,
    estimatedFrom: summary.estimatedFrom,
    demo: summary.demo,
  };
}

export function registerFinopsActions(
  actions: ActionsRegistryService,
  reader: FinopsReader,
) {
  actions.register({
    name: 'get-cost',
    title: 'Cloud cost',
    description:
      "The cloud cost of an entity (a system or domain with its parts), or of a group and everything it and the groups below it own, over the last `days` days next to the same number of days before: the total and its change, by service, by month, and by day if asked; for a group also its sub-groups, its biggest entities, the top movers, its budget and recent cost alerts. Developers see what their teams own; finance and the portal admins everything. Use it for 'what does X cost?'.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          ...entityOrGroupInput(z, {
            entityRef:
              'A component, resource, system or domain, e.g. component:default/checkout-service',
          }),
          days: days(z),
          daily: z
            .boolean()
            .default(false)
            .describe('Include the amount of each day'),
        }),
      output: z =>
        z.object({
          ...summarySchema(z),
          group: z
            .object({
              allocated: z
                .number()
                .describe('Shared spend allocated to the group'),
              byChild: z.array(shareSchema(z)),
              byEntity: z.array(shareSchema(z)).describe('The 20 biggest'),
              topMovers: z.array(shareSchema(z)),
              budget: z
                .object({
                  month: z.string(),
                  budget: z.number(),
                  actual: z.number(),
                  forecast: z.number(),
                })
                .optional(),
              alerts: z.array(
                z.object({
                  kind: z.string(),
                  ref: z.string(),
                  day: z.string(),
                  amount: z.number(),
                  expected: z.number(),
                  message: z.string(),
                }),
              ),
            })
            .optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { entityRef, groupRef } = entityOrGroupOf(input);
      if (entityRef) {
        const cost = await reader.entityCost(
          credentials,
          entityRef,
          input.days,
        );
        return { output: summaryOf(cost, input.daily) };
      }
      const cost = await reader.groupCost(credentials, groupRef!, input.days);
      return {
        output: {
          ...summaryOf(cost, input.daily),
          group: {
            allocated: cost.allocated,
            byChild: cost.byChild.map(shareOf),
            byEntity: cost.byEntity.map(shareOf),
            topMovers: cost.topMovers.map(shareOf),
            budget: cost.budget && { ...cost.budget },
            alerts: cost.alerts.map(a => ({
              kind: a.kind,
              ref: a.ref,
              day: a.day,
              amount: a.amount,
              expected: a.expected,
              message: a.message,
            })),
          },
        },
      };
    },
  });

  actions.register({
    name: 'get-top-movers',
    title: 'Top cost movers',
    description:
      "The entities whose cloud cost grew (direction up) or fell (down) most, or moved most either way (both), between the last `days` days and the same number of days before: within a group and the groups below it, or across the whole organisation (finance and the portal admins). Use it for 'what got more expensive?'. Page with cursor.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          groupRef: groupRefInput(z),
          organisation: z
            .boolean()
            .optional()
            .describe('The whole organisation instead of a group'),
          direction: z.enum(['up', 'down', 'both']).default('up'),
          days: days(z),
          ...pageInput(z, { defaultLimit: 10, cursor: OFFSET_CURSOR }),
        }),
      output: z =>
        z.object({
          currency: z.string(),
          from: z.string(),
          to: z.string(),
          previousFrom: z.string(),
          previousTo: z.string(),
          items: z.array(
            z.object({
              entityRef: z.string(),
              title: z.string().optional(),
              ownerRef: z.string().optional(),
              ...moved(z),
            }),
          ),
          totalCount: z.number(),
          nextCursor: z.string().optional(),
          demo: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => {
      if (!!input.groupRef === !!input.organisation) {
        throw new InputError('Give either groupRef or organisation: true');
      }
      const found = await reader.topMovers(
        credentials,
        input.groupRef
          ? { groupRef: groupRefOf(input.groupRef) }
          : { organisation: true },
        input.days,
        input.direction,
        { cursor: input.cursor, limit: input.limit },
      );
      return {
        output: {
          currency: found.currency,
          from: found.from,
          to: found.to,
          previousFrom: found.previousFrom,
          previousTo: found.previousTo,
          ...mapPage(found, item => ({
            entityRef: item.key,
            title: item.title,
            ownerRef: item.ownerRef,
            amount: item.amount,
            previous: item.previous,
            ...change(item.amount, item.previous),
          })),
          demo: found.demo,
        },
      };
    },
  });

  actions.register({
    name: 'get-product-cost',
    title: 'Product cost',
    description:
      "The cloud cost of a product (a system, or a domain with its systems) over the last `days` days next to the days before, by service and month, with each part's cost (a system's components and resources, a domain's systems). For its owners, finance and the portal admins; parts owned by teams the caller may not see are in the total and counted, not listed. The same figures the BI product economics use.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          productRef: productRefInput(z),
          days: days(z),
        }),
      output: z =>
        z.object({
          ...summarySchema(z),
          kind: z.enum(['system', 'domain']),
          ownerRef: z.string().optional(),
          parts: z.array(
            z.object({
              entityRef: z.string(),
              title: z.string().optional(),
              ownerRef: z.string().optional(),
              ...moved(z),
            }),
          ),
          hiddenParts: z
            .number()
            .describe('Parts of teams whose cost the caller may not see'),
        }),
    },
    action: async ({ input, credentials }) => {
      const cost = await reader.productCost(
        credentials,
        entityRefOf(input.productRef),
        input.days,
      );
      return {
        output: {
          ...summaryOf(cost, false),
          kind: cost.kind,
          ownerRef: cost.ownerRef,
          parts: cost.parts.map(part => ({
            entityRef: part.key,
            title: part.title,
            ownerRef: part.ownerRef,
            amount: part.amount,
            previous: part.previous,
            ...change(part.amount, part.previous),
          })),
          hiddenParts: cost.hiddenParts,
        },
      };
    },
  });

  actions.register({
    name: 'estimate-resource-cost',
    title: 'Estimate a resource',
    description:
      "The golden path's monthly cost estimate of a cloud resource it provisions, by type (database: PostgreSQL on Amazon RDS; queue: Amazon SQS; bucket: Amazon S3; cache: Redis on Amazon ElastiCache) and size (small, medium, large; every size when none is given), with what the size provisions. Everyone may read the price list. Use it for 'what would a medium postgres cost?'.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          type: z.enum(RESOURCE_TYPES),
          size: z
            .string()
            .max(40)
            .optional()
            .describe('small, medium or large; every size when absent'),
        }),
      output: z =>
        z.object({
          currency: z.string(),
          type: z.string(),
          title: z.string(),
          sizes: z.array(
            z.object({
              size: z.string(),
              description: z.string(),
              monthlyCost: z
                .number()
                .describe('On-demand estimate for a month (730 hours)'),
              settings: z
                .record(z.union([z.string(), z.number(), z.boolean()]))
                .describe("The golden-path module's settings of the size"),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => ({
      output: await reader.resourceEstimate(
        credentials,
        input.type,
        input.size,
      ),
    }),
  });
}
