import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_CHILD_OF,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GroupTree } from './GroupTree';

/** Deeper group trees than this are cut off (and a cycle cannot loop). */
const MAX_DEPTH = 10;
const PAGE = 500;
/** More owners than this are matched in memory, not in the catalog query. */
const BY_OWNER_IN_QUERY = 50;

/**
 * The one place that walks the group tree: a group and its descendants
 * (along spec.children, i.e. parentOf relations), and what they own. Every
 * roll-up (security, cost, reliability) and sign-in ownership uses it.
 */
export class GroupHierarchy {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  /** The whole group tree, read in one go (for organisation roll-ups). */
  async tree(): Promise<GroupTree> {
    return GroupTree.load(
      this.catalog,
      await this.auth.getOwnServiceCredentials(),
    );
  }

  /** The given groups and every group below them, without duplicates. */
  async withDescendants(groupRefs: string[]): Promise<string[]> {
    return this.walk(groupRefs, RELATION_PARENT_OF);
  }

  /** The given groups and every group above them, without duplicates. */
  async withAncestors(groupRefs: string[]): Promise<string[]> {
    return this.walk(groupRefs, RELATION_CHILD_OF);
  }

  /**
   * The groups a user is a member of and every group above those: what the
   * user's roles come from (a member of a security team is in security).
   */
  async roleGroupsOf(userEntityRef: string): Promise<string[]> {
    const user = await this.catalog.getEntityByRef(userEntityRef, {
      credentials: await this.auth.getOwnServiceCredentials(),
    });
    const direct = (user?.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
    return this.withAncestors(direct);
  }

  private async walk(groupRefs: string[], relation: string): Promise<string[]> {
    const refs = new Set(groupRefs.map(ref => ref.toLowerCase()));
    let frontier = [...refs];
    const credentials = await this.auth.getOwnServiceCredentials();
    for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: frontier, fields: ['relations'] },
        { credentials },
      );
      frontier = items
        .flatMap(group =>
          (group?.relations ?? [])
            .filter(r => r.type === relation)
            .map(r => r.targetRef.toLowerCase()),
        )
        .filter(ref => !refs.has(ref));
      frontier.forEach(ref => refs.add(ref));
    }
    return [...refs];
  }

  /**
   * Entities owned by the group or any group below it, optionally of some
   * kinds only, with the fields asked for (plus kind and metadata).
   */
  async ownedEntities(
    groupRef: string,
    options: { kinds?: string[]; fields?: string[] } = {},
  ): Promise<Entity[]> {
    const owners = await this.withDescendants([groupRef]);
    const credentials = await this.auth.getOwnServiceCredentials();
    const filter: Record<string, string | string[]> = {
      [`relations.${RELATION_OWNED_BY}`]: owners,
    };
    if (options.kinds?.length) {
      filter.kind = options.kinds;
    }
    const entities: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE }
          : {
              filter,
              fields: options.fields
                ? [
                    'kind',
                    'metadata.name',
                    'metadata.namespace',
                    ...options.fields,
                  ]
                : undefined,
              orderFields: { field: 'metadata.name', order: 'asc' },
              limit: PAGE,
            },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return entities;
  }

  /**
   * What each of many groups owns, with the groups below it: the same
   * answer as ownedEntities for each group, from one read of the group tree
   * and one (paged) read of the owned entities, however many groups are
   * asked about. For organisation roll-ups (every team side by side), where
   * asking group by group costs several catalog calls per group. Keys are
   * the given refs, lower case.
   */
  async ownedEntitiesByGroup(
    groupRefs: string[],
    options: { kinds?: string[]; fields?: string[] } = {},
  ): Promise<Map<string, Entity[]>> {
    const result = new Map<string, Entity[]>();
    if (groupRefs.length === 0) return result;
    const credentials = await this.auth.getOwnServiceCredentials();
    // Every group's parentOf relations, read once; then the same walk as
    // withDescendants, in memory.
    const childrenOf = new Map<string, string[]>();
    for (const group of await this.readAll(
      {
        filter: { kind: 'group' },
        fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
      },
      credentials,
    )) {
      childrenOf.set(
        stringifyEntityRef(group).toLowerCase(),
        (group.relations ?? [])
          .filter(r => r.type === RELATION_PARENT_OF)
          .map(r => r.targetRef.toLowerCase()),
      );
    }
    const descendants = (groupRef: string) => {
      const refs = new Set([groupRef]);
      let frontier = [groupRef];
      for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
        frontier = frontier
          .flatMap(ref => childrenOf.get(ref) ?? [])
          .filter(ref => !refs.has(ref));
        frontier.forEach(ref => refs.add(ref));
      }
      return [...refs];
    };
    const ownersOf = new Map(
      groupRefs.map(ref => [ref.toLowerCase(), descendants(ref.toLowerCase())]),
    );
    const allOwners = [...new Set([...ownersOf.values()].flat())];
    const filter: Record<string, string | string[]> = {};
    if (options.kinds?.length) filter.kind = options.kinds;
    // A few owners go into the query; many would make its URL too long, so
    // then every entity of the kinds is read and matched here.
    if (allOwners.length <= BY_OWNER_IN_QUERY || !options.kinds?.length) {
      filter[`relations.${RELATION_OWNED_BY}`] = allOwners;
    }
    const entities = await this.readAll(
      {
        filter,
        fields: options.fields
          ? [
              'kind',
              'metadata.name',
              'metadata.namespace',
              'relations',
              ...options.fields,
            ]
          : undefined,
        orderFields: { field: 'metadata.name', order: 'asc' },
      },
      credentials,
    );

    const byOwner = new Map<string, Entity[]>();
    for (const entity of entities) {
      const owners = new Set(
        (entity.relations ?? [])
          .filter(r => r.type === RELATION_OWNED_BY)
          .map(r => r.targetRef.toLowerCase()),
      );
      for (const owner of owners) {
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

  /** Every entity a query finds, page by page. */
  private async readAll(
    query: {
      filter: Record<string, string | string[]>;
      fields?: string[];
      orderFields?: { field: string; order: 'asc' | 'desc' };
    },
    credentials: BackstageCredentials,
  ): Promise<Entity[]> {
    const entities: Entity[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor ? { cursor, limit: PAGE } : { ...query, limit: PAGE },
        { credentials },
      );
      entities.push(...page.items);
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    return entities;
  }
}

/** Entity refs of entities, in the catalog's canonical form. */
export const refsOf = (entities: Entity[]) =>
  entities.map(e => stringifyEntityRef(e));
