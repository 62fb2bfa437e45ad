/*
 * Which version of the golden path each service follows, and which are
 * behind the current one: an action for assistants over MCP (issue 14:
 * "template versions"), read-only and paged, read from the catalog with
 * the caller's credentials (so it lists what they may see). A service
 * records its template and version in its catalog-info.yaml
 * (acme.example/template, acme.example/template-version); the current
 * version is the template entity's own annotation.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';

export const TEMPLATE_ANNOTATION = 'acme.example/template';
export const TEMPLATE_VERSION_ANNOTATION = 'acme.example/template-version';

/** -1, 0 or 1 as dotted version a is below, at or above b (1.10 > 1.9). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(n => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map(n => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

const ownerOf = (entity: Entity) =>
  entity.relations
    ?.find(r => r.type === RELATION_OWNED_BY)
    ?.targetRef.toLowerCase();

export function registerTemplateVersionsAction(
  actions: ActionsRegistryService,
  catalog: CatalogService,
) {
  actions.register({
    name: 'get-template-versions',
    title: 'Golden-path template versions',
    description:
      'Which golden-path template and version each service follows, the current version of each template, and which services are behind it (upgrade them with the "Upgrade the golden path" template). Filter by owning group or to those behind; page with cursor.',
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          ownerRef: z
            .string()
            .max(300)
            .optional()
            .describe(
              'Only the services of this group, e.g. group:default/team-checkout',
            ),
          behindOnly: z.boolean().default(false),
          cursor: z
            .string()
            .regex(/^\d{1,9}$/)
            .optional(),
          limit: z.number().int().min(1).max(100).default(50),
        }),
      output: z =>
        z.object({
          templates: z.array(
            z.object({ template: z.string(), version: z.string() }),
          ),
          items: z.array(
            z.object({
              entityRef: z.string(),
              ownerRef: z.string().optional(),
              template: z.string(),
              version: z.string(),
              current: z.string().optional(),
              behind: z.boolean(),
            }),
          ),
          totalCount: z.number(),
          behindCount: z.number(),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const fields = ['kind', 'metadata', 'relations'];
      const { items: templates } = await catalog.getEntities(
        { filter: { kind: 'Template' }, fields },
        { credentials },
      );
      const current = new Map<string, string>();
      for (const template of templates) {
        const version =
          template.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION];
        if (version) current.set(template.metadata.name, version);
      }
      const { items: services } = await catalog.getEntities(
        {
          filter: {
            kind: 'Component',
            [`metadata.annotations.${TEMPLATE_ANNOTATION}`]:
              CATALOG_FILTER_EXISTS,
          },
          fields,
        },
        { credentials },
      );
      const owner = input.ownerRef?.toLowerCase();
      const all = services
        .map(entity => {
          const template =
            entity.metadata.annotations?.[TEMPLATE_ANNOTATION] ?? '';
          const version =
            entity.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION] ?? '0';
          const latest = current.get(template);
          return {
            entityRef: stringifyEntityRef(entity),
            ownerRef: ownerOf(entity),
            template,
            version,
            current: latest,
            behind: !!latest && compareVersions(version, latest) < 0,
          };
        })
        .filter(s => !owner || s.ownerRef === owner)
        .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
      const found = input.behindOnly ? all.filter(s => s.behind) : all;
      const offset = Number(input.cursor ?? 0);
      const end = offset + input.limit;
      return {
        output: {
          templates: [...current].map(([template, version]) => ({
            template,
            version,
          })),
          items: found.slice(offset, end),
          totalCount: found.length,
          behindCount: all.filter(s => s.behind).length,
          nextCursor: end < found.length ? String(end) : undefined,
        },
      };
    },
  });
}
