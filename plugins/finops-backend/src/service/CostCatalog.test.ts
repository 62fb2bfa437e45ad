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
  let reads: number;
  const ownership = {
    readAll: async () => {
      reads++;
      return entities;
    },
    tree: async () => GroupTree.fromEntities([]),
  } as unknown as OwnershipService;

  beforeEach(() => {
    now = 1_000_000;
    entities = [component('old-service')];
    reads = 0;
  });

  it('reads the catalog once a minute', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    now += 59_000;
    await catalog.snapshot();
    expect(reads).toBe(1);
    now += 2_000;
    await catalog.snapshot();
    expect(reads).toBe(2);
  });

  it('reads again when asked for an entity it lacks, once it is a few seconds old', async () => {
    const catalog = new CostCatalog(ownership, () => now);
    await catalog.snapshot();
    entities = [component('old-service'), component('new-service')];

    // Just read: a miss does not send every request to the catalog.
    now += 1_000;
    const fresh = await catalog.snapshot('component:default/new-service');
    expect(fresh.entities.has('component:default/new-service')).toBe(false);
    expect(reads).toBe(1);

    now += 5_000;
    const reread = await catalog.snapshot('component:default/new-service');
    expect(reread.entities.has('component:default/new-service')).toBe(true);
    expect(reads).toBe(2);

    // What it has is answered from the snapshot.
    now += 10_000;
    await catalog.snapshot('component:default/old-service');
    expect(reads).toBe(2);
  });
});
