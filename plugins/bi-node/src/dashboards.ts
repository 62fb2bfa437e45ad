import {
  Entity,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { readAllEntities } from '@portal/catalog-ownership';
import { DashboardEntry, dashboardsOf } from '@portal/plugin-bi-common';

function related(entity: Entity, type: string, kind: string) {
  return entity.relations
    ?.filter(r => r.type === type)
    .map(r => r.targetRef.toLowerCase())
    .find(ref => kind === '*' || ref.startsWith(`${kind}:`));
}

/**
 * Every dashboard declared in the catalog that these credentials may see
 * (the catalog applies its own permissions), with its entity, owner, system
 * and domain, ordered by domain, system and entity.
 */
export async function listDashboards(
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<DashboardEntry[]> {
  const entities = await readAllEntities(
    catalog,
    {
      filter: { 'metadata.links.type': 'dashboard' },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'metadata.links',
        'relations',
      ],
    },
    credentials,
  );

  // Systems' domains, for components and resources that name only a system.
  const systemRefs = new Set(
    entities
      .map(e => related(e, RELATION_PART_OF, 'system'))
      .filter((ref): ref is string => !!ref),
  );
  const domainOfSystem = new Map<string, string | undefined>();
  if (systemRefs.size) {
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: [...systemRefs],
        fields: ['kind', 'metadata', 'relations'],
      },
      { credentials },
    );
    for (const system of items) {
      if (system) {
        domainOfSystem.set(
          stringifyEntityRef(system).toLowerCase(),
          related(system, RELATION_PART_OF, 'domain'),
        );
      }
    }
  }

  const entries: DashboardEntry[] = [];
  for (const entity of entities) {
    const entityRef = stringifyEntityRef(entity).toLowerCase();
    const kind = entity.kind.toLowerCase();
    let systemRef =
      kind === 'system'
        ? entityRef
        : related(entity, RELATION_PART_OF, 'system');
    let domainRef = systemRef ? domainOfSystem.get(systemRef) : undefined;
    if (kind === 'system')
      domainRef = related(entity, RELATION_PART_OF, 'domain');
    if (kind === 'domain') {
      domainRef = entityRef;
      systemRef = undefined;
    }
    for (const dashboard of dashboardsOf(entity)) {
      entries.push({
        ...dashboard,
        entityRef,
        entityTitle: entity.metadata.title ?? entity.metadata.name,
        kind,
        ownerRef: related(entity, RELATION_OWNED_BY, '*'),
        systemRef,
        domainRef,
      });
    }
  }
  // By domain (none last), the domain's own dashboards first, then by
  // system, entity and title.
  const key = (e: DashboardEntry) =>
    [e.domainRef ?? '\uffff', e.systemRef ?? '', e.entityTitle, e.title]
      .join('\u0000')
      .toLowerCase();
  return entries.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === y) return 0;
    return x < y ? -1 : 1;
  });
}
