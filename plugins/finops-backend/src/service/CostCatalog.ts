import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_PART_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { GroupTree, OwnershipService } from '@portal/catalog-ownership';
import { RefreshingValue } from '@portal/common';

/** What FinOps needs to know of an entity that can carry cost. */
export interface CostEntity {
  ref: string;
  kind: string;
  title: string;
  /** The owning group or user (lower case), if any. */
  ownerRef?: string;
  /** The system it is part of (components, resources), or its domain (systems). */
  partOfRef?: string;
}

/**
 * The catalog as cost attribution sees it, read in one go and kept for a
 * minute (then read again behind the callers, who meanwhile are answered
 * the one there is): entities that carry cost (components, resources,
 * systems), the domains, and the group tree.
 */
export interface CostCatalogSnapshot {
  entities: Map<string, CostEntity>;
  tree: GroupTree;
  /** The entities owned by each owner (lower case). */
  byOwner: Map<string, CostEntity[]>;
}

const KINDS = ['component', 'resource', 'system', 'domain'];
const TTL_MS = 60_000;
/** The oldest snapshot answered while a new one is read. */
const STALE_MS = 5 * TTL_MS;
/** At most one reread of the catalog for a missing entity in this time. */
const MISS_RELOAD_MS = 1_000;

function toCostEntity(entity: Entity): CostEntity {
  const ref = stringifyEntityRef(entity).toLowerCase();
  const relation = (type: string, kind?: string) =>
    entity.relations
      ?.filter(r => r.type === type)
      .map(r => r.targetRef.toLowerCase())
      .find(target => !kind || target.startsWith(`${kind}:`));
  return {
    ref,
    kind: entity.kind.toLowerCase(),
    title: entity.metadata.title ?? entity.metadata.name,
    ownerRef: relation(RELATION_OWNED_BY),
    partOfRef:
      entity.kind.toLowerCase() === 'system'
        ? relation(RELATION_PART_OF, 'domain')
        : relation(RELATION_PART_OF, 'system'),
  };
}

export class CostCatalog {
  private readonly current: RefreshingValue<CostCatalogSnapshot>;
  /** Whether the next read also reads the group tree afresh. */
  private freshTree = false;
  private lastMissReload = -Infinity;

  constructor(
    private readonly ownership: OwnershipService,
    private readonly now: () => number = Date.now,
  ) {
    this.current = new RefreshingValue(
      () => {
        const fresh = this.freshTree;
        this.freshTree = false;
        return this.load(fresh);
      },
      { maxAgeMs: TTL_MS, maxStaleMs: STALE_MS, now: () => this.now() },
    );
  }

  /**
   * The catalog as FinOps reads it, reused for a minute. `expecting` names
   * an entity or group the caller asks about: when the snapshot lacks it
   * but the catalog has it (one lookup of that entity), the snapshot is
   * read again, so that what was just registered in the catalog, or arrived
   * after the backend started, is not "not in the catalog" for a minute.
   * Such rereads happen at most once a second, whatever callers ask.
   */
  async snapshot(expecting?: string): Promise<CostCatalogSnapshot> {
    const snapshot = await this.current.get();
    if (
      !expecting ||
      snapshot.entities.has(expecting) ||
      snapshot.tree.get(expecting)
    ) {
      return snapshot;
    }
    const { kind, namespace, name } = parseEntityRef(expecting);
    if (![...KINDS, 'group'].includes(kind.toLowerCase())) return snapshot;
    if (this.now() - this.lastMissReload < MISS_RELOAD_MS) return snapshot;
    const found = await this.ownership.readAll({
      filter: { kind, 'metadata.namespace': namespace, 'metadata.name': name },
      fields: ['kind'],
    });
    if (!found.length || this.now() - this.lastMissReload < MISS_RELOAD_MS) {
      return snapshot;
    }
    this.lastMissReload = this.now();
    // The group tree read again too: it is what knows the groups.
    this.freshTree = true;
    return this.current.refresh();
  }

  private async load(fresh: boolean): Promise<CostCatalogSnapshot> {
    const items = await this.ownership.readAll({
      filter: { kind: KINDS },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'metadata.title',
        'relations',
      ],
    });
    const entities = new Map<string, CostEntity>();
    const byOwner = new Map<string, CostEntity[]>();
    for (const item of items) {
      const entity = toCostEntity(item);
      entities.set(entity.ref, entity);
      if (entity.ownerRef && entity.kind !== 'domain') {
        const list = byOwner.get(entity.ownerRef) ?? [];
        list.push(entity);
        byOwner.set(entity.ownerRef, list);
      }
    }
    return {
      entities,
      byOwner,
      tree: await this.ownership.tree(fresh ? { fresh } : undefined),
    };
  }
}

/**
 * The refs whose cost lines make up an entity's cost: itself, and for a
 * system its components and resources, for a domain its systems' too.
 */
export function costRefsOf(
  snapshot: CostCatalogSnapshot,
  ref: string,
): string[] {
  const refs = [ref];
  const parts = (parent: string) =>
    [...snapshot.entities.values()]
      .filter(e => e.partOfRef === parent)
      .map(e => e.ref);
  const entity = snapshot.entities.get(ref);
  if (entity?.kind === 'system') {
    refs.push(...parts(ref));
  } else if (entity?.kind === 'domain') {
    for (const system of parts(ref)) {
      refs.push(system, ...parts(system));
    }
  }
  return refs;
}

/** Who owns each entity that has an owner: what the owner roll-ups use. */
export function ownersOf(snapshot: CostCatalogSnapshot): Map<string, string> {
  const owners = new Map<string, string>();
  for (const entity of snapshot.entities.values()) {
    if (entity.ownerRef) owners.set(entity.ref, entity.ownerRef);
  }
  return owners;
}

/**
 * Each group of the catalog's tree with its subtree (itself and every group
 * below it), as the group roll-ups sum them.
 */
export function subtreesOf(
  snapshot: CostCatalogSnapshot,
): Map<string, string[]> {
  return new Map(
    snapshot.tree
      .all()
      .map(node => [node.ref, snapshot.tree.withDescendants(node.ref)]),
  );
}
