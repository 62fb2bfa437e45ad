import { Entity } from '@backstage/catalog-model';
import { GroupTree, OwnershipService } from '@portal/catalog-ownership';
import { CostCatalog } from './CostCatalog';

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
});

describe('CostCatalog', () => {
  let now = 0;
  let entities: Entity[];
  let snapshots: number;
  let lookups: number;
  const ownership = {
    readAll: async (query: { filter: Record<string, string | string[]> }) => {
      if (typeof query.filter.kind === 'string') {
        // One entity, looked up by name.
        lookups++;
        return entities.filter(
          e =>
            e.kind.toLowerCase() === String(query.filter.kind).toLowerCase() &&
            e.metadata.name === query.filter['metadata.name'],
        );
      }
      snapshots++;
      return entities;
    },
    tree: async () => GroupTree.fromEntities([]),
  } as unknown as OwnershipService;

  beforeEach(() => {
    now = 1_000_000;
    entities = [component('old-service')];
    snapshots = 0;
    lookups = 0;
  });

  it('reads the catalog once a minute', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    now += 59_000;
    await catalog.snapshot();
    expect(snapshots).toBe(1);
    now += 2_000;
    await catalog.snapshot();
    expect(snapshots).toBe(2);
  });

  it('answers the snapshot it has while a new one is read, up to five minutes old', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    const first = await catalog.snapshot();
    // The catalog slow to answer under load.
    let release!: () => void;
    const slow = new Promise<void>(resolve => {
      release = resolve;
    });
    const readAll = ownership.readAll;
    ownership.readAll = async query => {
      await slow;
      return readAll(query);
    };
    try {
      entities = [component('old-service'), component('new-service')];
      now += 61_000;
      expect(await catalog.snapshot()).toBe(first);
      expect(await catalog.snapshot()).toBe(first);
      release();
      await new Promise(resolve => setTimeout(resolve, 0));
      const second = await catalog.snapshot();
      expect(second.entities.has('component:default/new-service')).toBe(true);
      expect(snapshots).toBe(2);

      // Beyond five minutes, callers wait for the read (and its failure).
      ownership.readAll = async () => {
        throw new Error('catalog unavailable');
      };
      now += 120_000;
      expect(await catalog.snapshot()).toBe(second);
      now += 181_000;
      await expect(catalog.snapshot()).rejects.toThrow('catalog unavailable');
    } finally {
      ownership.readAll = readAll;
    }
  });

  it('reads again at once when asked for an entity the catalog has and the snapshot lacks', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    entities = [component('old-service'), component('new-service')];

    const reread = await catalog.snapshot('component:default/new-service');
    expect(reread.entities.has('component:default/new-service')).toBe(true);
    expect(snapshots).toBe(2);

    // What it has is answered from the snapshot, without a lookup.
    await catalog.snapshot('component:default/old-service');
    expect(snapshots).toBe(2);
    expect(lookups).toBe(1);
  });

  it('reads the group tree again too when asked for a group it lacks', async () => {
    // The tree as OwnershipService keeps it: read once, again only fresh.
    const groups: Entity[] = [];
    let tree: GroupTree | undefined;
    const catalog = new CostCatalog(
      {
        ...ownership,
        readAll: async (query: { filter: Record<string, string> }) =>
          query.filter.kind === 'group'
            ? groups.filter(
                g => g.metadata.name === query.filter['metadata.name'],
              )
            : entities,
        tree: async (options?: { fresh?: boolean }) => {
          if (!tree || options?.fresh) tree = GroupTree.fromEntities(groups);
          return tree;
        },
      } as unknown as OwnershipService,
      () => now,
    );
    expect((await catalog.snapshot()).tree.get('group:default/team-b')).toBe(
      undefined,
    );
    groups.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'team-b', namespace: 'default' },
      spec: { type: 'team', children: [] },
    });
    const reread = await catalog.snapshot('group:default/team-b');
    expect(reread.tree.get('group:default/team-b')).toMatchObject({
      type: 'team',
    });
  });

  it('does not read the catalog again for what it does not have', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    const missing = await catalog.snapshot('component:default/no-such-thing');
    expect(missing.entities.has('component:default/no-such-thing')).toBe(false);
    expect(snapshots).toBe(1);
    // Kinds that carry no cost are not even looked up.
    await catalog.snapshot('api:default/old-service');
    expect(lookups).toBe(1);
  });

  it('rereads at most once a second, whatever callers ask', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    entities = [component('old-service'), component('new-a')];
    await catalog.snapshot('component:default/new-a');
    entities = [...entities, component('new-b')];
    now += 500;
    const soon = await catalog.snapshot('component:default/new-b');
    expect(soon.entities.has('component:default/new-b')).toBe(false);
    expect(snapshots).toBe(2);
    now += 600;
    const later = await catalog.snapshot('component:default/new-b');
    expect(later.entities.has('component:default/new-b')).toBe(true);
    expect(snapshots).toBe(3);
  });
});
