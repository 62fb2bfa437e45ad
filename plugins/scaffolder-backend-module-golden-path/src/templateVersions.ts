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
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { FleetPage, FleetService } from '@portal/common';
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
      const {
        versions: _versions,
        items,
        ...page
      } = await readFleet(catalog, credentials, {
        ownerRefs: input.ownerRef ? [input.ownerRef] : undefined,
        behindOnly: input.behindOnly,
        offset: Number(input.cursor ?? 0),
        limit: input.limit,
      });
      return {
        output: {
          ...page,
          items: items.map(({ title: _title, ...service }) => service),
        },
      };
    },
  });
}

/**
 * Each template's current version (its acme.example/template-version
 * annotation), by template name, as the credentials see the catalog.
 */
export async function currentTemplateVersions(
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<Map<string, string>> {
  const { items: templates } = await catalog.getEntities(
    {
      filter: { kind: 'Template' },
      fields: ['metadata.name', 'metadata.annotations'],
    },
    { credentials },
  );
  const current = new Map<string, string>();
  for (const template of templates) {
    const version =
      template.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION];
    if (version) current.set(template.metadata.name, version);
  }
  return current;
}

/**
 * The golden-path services the caller may see (read with their
 * credentials), each with its template's current version, by ref; only
 * those of some owners or only those behind when asked; a page of them.
 */
export async function readFleet(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  query: {
    ownerRefs?: string[];
    behindOnly?: boolean;
    offset: number;
    limit: number;
  },
): Promise<FleetPage> {
  const fields = ['kind', 'metadata', 'relations'];
  const current = await currentTemplateVersions(catalog, credentials);
  const { items: services } = await catalog.getEntities(
    {
      filter: {
        kind: 'Component',
        [`metadata.annotations.${TEMPLATE_ANNOTATION}`]: CATALOG_FILTER_EXISTS,
      },
      fields,
    },
    { credentials },
  );
  const owners = query.ownerRefs
    ? new Set(query.ownerRefs.map(o => o.toLowerCase()))
    : undefined;
  const all = services
    .map((entity): FleetService => {
      const template = entity.metadata.annotations?.[TEMPLATE_ANNOTATION] ?? '';
      const version =
        entity.metadata.annotations?.[TEMPLATE_VERSION_ANNOTATION] ?? '0';
      const latest = current.get(template);
      return {
        entityRef: stringifyEntityRef(entity),
        title: entity.metadata.title,
        ownerRef: ownerOf(entity),
        template,
        version,
        current: latest,
        behind: !!latest && compareVersions(version, latest) < 0,
      };
    })
    .filter(
      s => !owners || (s.ownerRef !== undefined && owners.has(s.ownerRef)),
    )
    .sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  const found = query.behindOnly ? all.filter(s => s.behind) : all;
  const versions = new Map<string, FleetPage['versions'][number]>();
  for (const s of all) {
    const key = `${s.template}\n${s.version}`;
    const entry = versions.get(key) ?? {
      template: s.template,
      version: s.version,
      count: 0,
      behind: s.behind,
    };
    entry.count += 1;
    versions.set(key, entry);
  }
  const end = query.offset + query.limit;
  return {
    templates: [...current].map(([template, version]) => ({
      template,
      version,
    })),
    items: found.slice(query.offset, end),
    totalCount: found.length,
    behindCount: all.filter(s => s.behind).length,
    versions: [...versions.values()].sort(
      (a, b) =>
        a.template.localeCompare(b.template) ||
        compareVersions(a.version, b.version),
    ),
    nextCursor: end < found.length ? String(end) : undefined,
  };
}
