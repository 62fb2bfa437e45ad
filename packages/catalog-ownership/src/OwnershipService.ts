import {
  AuthService,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  catalogServiceRef,
  CatalogService,
} from '@backstage/plugin-catalog-node';
import { RefreshingValue } from '@portal/common';
import { ExpiringMemo } from './ExpiringMemo';
import { GROUP_TREE_FIELDS, GroupTree } from './GroupTree';
import { CatalogQuery, fromCatalog, readAllEntities } from './readAll';

/** More owners than this are matched in memory, not in the catalog query. */
const BY_OWNER_IN_QUERY = 50;
/** How old the cached group tree may be, unless configured. */
const DEFAULT_MAX_AGE_MS = 30_000;
/**
 * How many times its age a tree is still answered while a new one is read
 * (or fails to be): beyond, callers wait for the catalog and share its 503.
 */
const STALE_AGES = 5;
/**
 * How many answers to "what does this group own" a plugin keeps, and how
 * many entities they may hold in all.
 */
const OWNED_ANSWERS = 500;
const OWNED_ENTITIES = 50_000;

/** What to read of owned entities. */
export interface OwnedEntitiesOptions {
  /** Only these kinds (any case). */
  kinds?: string[];
  /** Only these fields (kind, metadata name and namespace always). */
  fields?: string[];
}

/**
 * The one answer every plugin of the portal gets to "what is below this
 * group", "what does this group own" and "which groups is this user in":
 * from one group tree, cached per plugin and read again from the catalog
 * when it is older than `ownership.groupTreeMaxAge` (30 seconds unless
 * configured), so that a change in the catalog's groups is followed within
 * that time and one read. That read is in the background: callers meanwhile
 * are answered the tree they had, unless it is five times that age (the
 * catalog could not be read since). What a group owns is kept for the same
 * time (per group, kinds and fields), so that the people of a team opening
 * its pages make one catalog read, not one each, and read again the same
 * way, behind the callers; a change of an entity's owner is followed
 * within that time and one read too. Entities are read with the
 * plugin's own credentials. When the catalog cannot answer, every method
 * fails with ServiceUnavailableError (503), never a plain error (500).
 */
export interface OwnershipService {
  /**
   * The group tree, read again behind the callers once older than the
   * configured age; read again now, and waited for, when `fresh` (a group
   * the caller knows is in the catalog is not in it).
   */
  tree(options?: { fresh?: boolean }): Promise<GroupTree>;
  /** The given groups and every group below them, each once, lower case. */
  withDescendants(groupRefs: string[]): Promise<string[]>;
  /** The given groups and every group above them, each once, lower case. */
  withAncestors(groupRefs: string[]): Promise<string[]>;
  /**
   * The groups a user is a member of and every group above those: what
   * the user's roles come from (a member of an AppSec team below Security
   * is in Security).
   */
  roleGroupsOf(userEntityRef: string): Promise<string[]>;
  /**
   * The groups a user is a direct member of ("your teams"), lower case;
   * none for a user the catalog does not know.
   */
  groupsOf(userEntityRef: string): Promise<string[]>;
  /**
   * The refs a user owns through: the user, the groups they are a member
   * of, and every group below those (a department's member owns what its
   * teams own).
   */
  ownershipRefsOf(user: Entity): Promise<string[]>;
  /** Entities owned by the group or any group below it, by name. */
  ownedEntities(
    groupRef: string,
    options?: OwnedEntitiesOptions,
  ): Promise<Entity[]>;
  /**
   * What each of many groups owns, with the groups below it: the same
   * answer as ownedEntities for each, from the cached tree and one (paged)
   * read of the owned entities however many groups are asked about. Keys
   * are the given refs, lower case.
   */
  ownedEntitiesByGroup(
    groupRefs: string[],
    options?: OwnedEntitiesOptions,
  ): Promise<Map<string, Entity[]>>;
  /** Every entity a catalog query finds, page by page. */
  readAll(query: CatalogQuery): Promise<Entity[]>;
}

/** The catalog-backed OwnershipService, with its cached group tree. */
export class CatalogOwnership implements OwnershipService {
  private readonly groupTree: RefreshingValue<GroupTree>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly owned: ExpiringMemo<Entity[]>;
  private readonly ownedByGroup: ExpiringMemo<Map<string, Entity[]>>;

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    options: { maxAgeMs?: number; now?: () => number } = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    const memo = {
      maxAgeMs: this.maxAgeMs,
      maxStaleMs: this.maxAgeMs * STALE_AGES,
      maxEntries: OWNED_ANSWERS,
      maxWeight: OWNED_ENTITIES,
      now: () => this.now(),
    };
    this.groupTree = new RefreshingValue(
      async () =>
        GroupTree.fromEntities(
          await this.readAll({
            filter: { kind: 'group' },
            fields: GROUP_TREE_FIELDS,
          }),
        ),
      {
        maxAgeMs: this.maxAgeMs,
        maxStaleMs: this.maxAgeMs * STALE_AGES,
        now: () => this.now(),
      },
    );
    this.owned = new ExpiringMemo({ ...memo, weigh: list => list.length });
    this.ownedByGroup = new ExpiringMemo({
      ...memo,
      weigh: map => [...map.values()].reduce((n, list) => n + list.length, 0),
    });
  }

  /** With `ownership.groupTreeMaxAge` from the configuration. */
  static fromConfig(
    config: Config,
    deps: { catalog: CatalogService; auth: AuthService },
  ): CatalogOwnership {
    const key = 'ownership.groupTreeMaxAge';
    const maxAgeMs = config.has(key)
      ? durationToMilliseconds(readDurationFromConfig(config, { key }))
      : undefined;
    return new CatalogOwnership(deps.catalog, deps.auth, { maxAgeMs });
  }

  async tree(options: { fresh?: boolean } = {}): Promise<GroupTree> {
    // One read at a time, however many requests want the tree meanwhile.
    return options.fresh ? this.groupTree.refresh() : this.groupTree.get();
  }

  async withDescendants(groupRefs: string[]): Promise<string[]> {
    return (await this.tree()).withDescendantsOfAll(groupRefs);
  }

  async withAncestors(groupRefs: string[]): Promise<string[]> {
    return (await this.tree()).withAncestorsOfAll(groupRefs);
  }

  async roleGroupsOf(userEntityRef: string): Promise<string[]> {
    return this.withAncestors(await this.groupsOf(userEntityRef));
  }

  async groupsOf(userEntityRef: string): Promise<string[]> {
    // The groups' hasMember relations, from the cached tree; a user no group
    // names (a newcomer, or a user the catalog does not know) is read.
    const fromTree = (await this.tree()).groupsWithMember(userEntityRef);
    if (fromTree.length) return fromTree;
    const credentials = await this.auth.getOwnServiceCredentials();
    const user = await fromCatalog(() =>
      this.catalog.getEntityByRef(userEntityRef, { credentials }),
    );
    return memberOf(user).map(ref => ref.toLowerCase());
  }

  async ownershipRefsOf(user: Entity): Promise<string[]> {
    return [
      stringifyEntityRef(user).toLowerCase(),
      ...(await this.withDescendants(memberOf(user))),
    ];
  }

  async ownedEntities(
    groupRef: string,
    options: OwnedEntitiesOptions = {},
  ): Promise<Entity[]> {
    const key = memoKey([groupRef], options);
    const owned = await this.owned.get(key, () =>
      this.readOwned(groupRef, options),
    );
    return [...owned];
  }

  private async readOwned(
    groupRef: string,
    options: OwnedEntitiesOptions,
  ): Promise<Entity[]> {
    const owners = await this.withDescendants([groupRef]);
    const filter: Record<string, string | string[]> = {
      [`relations.${RELATION_OWNED_BY}`]: owners,
    };
    if (options.kinds?.length) filter.kind = options.kinds;
    return this.readAll({
      filter,
      fields: withIdentity(options.fields),
      orderFields: { field: 'metadata.name', order: 'asc' },
    });
  }

  async ownedEntitiesByGroup(
    groupRefs: string[],
    options: OwnedEntitiesOptions = {},
  ): Promise<Map<string, Entity[]>> {
    if (groupRefs.length === 0) return new Map();
    const byGroup = await this.ownedByGroup.get(
      memoKey(groupRefs, options),
      () => this.readOwnedByGroup(groupRefs, options),
    );
    return new Map([...byGroup].map(([ref, list]) => [ref, [...list]]));
  }

  private async readOwnedByGroup(
    groupRefs: string[],
    options: OwnedEntitiesOptions,
  ): Promise<Map<string, Entity[]>> {
    const result = new Map<string, Entity[]>();
    if (groupRefs.length === 0) return result;
    const tree = await this.tree();
    const ownersOf = new Map(
      groupRefs.map(ref => [
        ref.toLowerCase(),
        tree.withDescendantsOfAll([ref]),
      ]),
    );
    const allOwners = [...new Set([...ownersOf.values()].flat())];
    const filter: Record<string, string | string[]> = {};
    if (options.kinds?.length) filter.kind = options.kinds;
    // A few owners go into the query; many would make its URL too long, so
    // then every entity of the kinds is read and matched here.
    if (allOwners.length <= BY_OWNER_IN_QUERY || !options.kinds?.length) {
      filter[`relations.${RELATION_OWNED_BY}`] = allOwners;
    }
    const entities = await this.readAll({
      filter,
      fields: options.fields
        ? withIdentity(['relations', ...options.fields])
        : undefined,
      orderFields: { field: 'metadata.name', order: 'asc' },
    });
    const byOwner = new Map<string, Entity[]>();
    for (const entity of entities) {
      for (const owner of ownersOfEntity(entity)) {
        const list = byOwner.get(owner) ?? [];
        list.push(entity);
        byOwner.set(owner, list);
      }
    }
    for (const [groupRef, owners] of ownersOf) {
      const seen = new Set<Entity>();
      for (const owner of owners) {
        for (const entity of byOwner.get(owner) ?? []) seen.add(entity);
      }
      // In the catalog's order (by name), as ownedEntities gives them.
      result.set(
        groupRef,
        entities.filter(entity => seen.has(entity)),
      );
    }
    return result;
  }

  async readAll(query: CatalogQuery): Promise<Entity[]> {
    return readAllEntities(
      this.catalog,
      query,
      await this.auth.getOwnServiceCredentials(),
    );
  }
}

/**
 * The ownership service of a plugin (or of a module, for its plugin): one
 * per plugin, with that plugin's credentials and its own cached tree.
 *
 * @public
 */
export const ownershipServiceRef = createServiceRef<OwnershipService>({
  id: 'portal.ownership',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      factory: ({ config, catalog, auth }) =>
        CatalogOwnership.fromConfig(config, { catalog, auth }),
    }),
});

/** One key per question: the groups, the kinds and the fields asked for. */
function memoKey(groupRefs: string[], options: OwnedEntitiesOptions) {
  return JSON.stringify([
    groupRefs.map(ref => ref.toLowerCase()),
    (options.kinds ?? []).map(kind => kind.toLowerCase()).sort(),
    options.fields ? [...options.fields].sort() : null,
  ]);
}

function memberOf(user: Entity | undefined): string[] {
  return (user?.relations ?? [])
    .filter(r => r.type === RELATION_MEMBER_OF)
    .map(r => r.targetRef);
}

/**
 * Who owns an entity, lower case: its ownedBy relations, or, before the
 * catalog has made them (or in a hand-made entity), its spec.owner.
 *
 * @public
 */
export function ownerRefsOf(entity: Entity): string[] {
  const related = [...ownersOfEntity(entity)];
  const owner = entity.spec?.owner;
  if (related.length || typeof owner !== 'string') return related;
  try {
    return [
      stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      ).toLowerCase(),
    ];
  } catch {
    return [];
  }
}

function ownersOfEntity(entity: Entity): Set<string> {
  return new Set(
    (entity.relations ?? [])
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => r.targetRef.toLowerCase()),
  );
}

function withIdentity(fields: string[] | undefined): string[] | undefined {
  return fields
    ? ['kind', 'metadata.name', 'metadata.namespace', ...fields]
    : undefined;
}

/** Entity refs of entities, in the catalog's canonical form. */
export const refsOf = (entities: Entity[]) =>
  entities.map(e => stringifyEntityRef(e));
