/*
 * The BI plugin's actions, for assistants over MCP (issue 14): read-only,
 * typed, paged, run with the caller's credentials through the same
 * BiService as the routes, so that an action answers exactly what the BI
 * pages would show the same person.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  entityRefOf,
  OFFSET_CURSOR,
  pageInput,
  pageOutput,
  productRefInput,
  READ_ONLY_ACTION,
} from '@portal/request-validation';
import { BiService } from './BiService';

export function registerBiActions(
  actions: ActionsRegistryService,
  bi: BiService,
) {
  actions.register({
    name: 'list-dashboards',
    title: 'List BI dashboards',
    description:
      'Lists the BI dashboards (Grafana, Tableau, Superset, Metabase, Looker, Power BI) declared on catalog entities that the caller may see, ordered by domain and system. Use search to find a product, team, system or tool; page with cursor.',
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          search: z
            .string()
            .max(200)
            .optional()
            .describe(
              'Words that must all appear in the title, tool, entity, owner, system or domain',
            ),
          ...pageInput(z, { cursor: OFFSET_CURSOR }),
        }),
      output: z =>
        pageOutput(z, {
          title: z.string(),
          url: z.string(),
          tool: z.string(),
          entityRef: z.string(),
          entityTitle: z.string(),
          kind: z.string(),
          ownerRef: z.string().optional(),
          systemRef: z.string().optional(),
          domainRef: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => ({
      output: await bi.dashboards(credentials, input),
    }),
  });

  actions.register({
    name: 'get-product-economics',
    title: 'Product economics',
    description:
      "A product's (system's or domain's) monthly cloud cost next to its business metrics (orders, active users) and the unit cost (cost per order, per active user). Product totals only; for business, finance and portal admins.",
    attributes: READ_ONLY_ACTION,
    schema: {
      input: z =>
        z.object({
          productRef: productRefInput(
            z,
            'The product, e.g. system:default/storefront',
          ),
        }),
      output: z =>
        z.object({
          ref: z.string(),
          currency: z.string(),
          months: z.array(z.string()),
          cost: z.array(z.number()),
          metrics: z.array(
            z.object({
              name: z.string(),
              title: z.string(),
              unit: z.string(),
              values: z.array(z.number().nullable()),
              unitCost: z.array(z.number().nullable()),
            }),
          ),
          errors: z.array(
            z.object({ metric: z.string(), message: z.string() }),
          ),
          demo: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => ({
      output: await bi.productEconomics(
        credentials,
        entityRefOf(input.productRef),
      ),
    }),
  });
}
