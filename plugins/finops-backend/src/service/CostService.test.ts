/*
 * CostService's views end at the newest day with cost, read during each
 * call; they do not wait for that read before starting their own reads.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { GroupTree } from '@portal/catalog-ownership';
import { testDatabaseIds } from '@portal/test-utils';
import { createFinopsStores } from '../database/createFinopsStores';
import { daysBetween } from '../database/days';
import { AttributedRow, FinopsStores } from '../database/types';
import { CostCatalogSnapshot } from './CostCatalog';
import { CostService } from './CostService';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const API = 'component:default/payments-api';
const TEAM = 'group:default/team-checkout';

const row = (day: string): AttributedRow => ({
  day,
  tagValue: API,
  entityRef: API,
  service: 'EC2',
  account: '1111',
  amount: 10,
  currency: 'USD',
});

const snapshot: CostCatalogSnapshot = {
  entities: new Map([
    [API, { ref: API, kind: 'component', title: 'Payments', ownerRef: TEAM }],
  ]),
  tree: GroupTree.fromEntities([]),
  byOwner: new Map(),
};

/** Three newer days of 1 each, as an import after the first views. */
function importNovember(stores: FinopsStores) {
  return stores.lines.replaceDays({
    source: 's',
    from: '2026-11-01',
    to: '2026-11-03',
    rows: daysBetween('2026-11-01', '2026-11-03').map(d => ({
      ...row(d),
      amount: 1,
    })),
  });
}

describe.each(databases.eachSupportedId())('CostService on %p', id => {
  async function setUp() {
    const knex = await databases.init(id);
    const stores = await createFinopsStores({
      database: mockServices.database({ knex }),
    });
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows: daysBetween('2026-10-01', '2026-10-31').map(row),
    });
    const costs = new CostService(
      stores,
      { currency: 'USD', demo: false },
      () => '2026-12-01',
    );
    return { stores, costs };
  }

  it('starts a view’s reads while the newest day is read, and ends at the day read in the call', async () => {
    const { stores, costs } = await setUp();
    // The first call has nothing to go on: it waits for the day.
    expect(await costs.entityCost(snapshot, API, 7)).toMatchObject({
      from: '2026-10-25',
      to: '2026-10-31',
      total: 70,
    });

    // Later calls read the day beside their other reads.
    const realLastDay = stores.lines.lastDay.bind(stores.lines);
    let release!: () => void;
    const held = new Promise<void>(resolve => {
      release = resolve;
    });
    const lastDay = jest
      .spyOn(stores.lines, 'lastDay')
      .mockImplementation(async () => {
        await held;
        return realLastDay();
      });
    const dailyTotals = jest.spyOn(stores.rollups, 'dailyTotals');
    const view = costs.entityCost(snapshot, API, 7);
    await new Promise(resolve => setImmediate(resolve));
    expect(lastDay).toHaveBeenCalledTimes(1);
    expect(dailyTotals).toHaveBeenCalledWith(
      { entityRefs: [API] },
      '2026-10-25',
      '2026-10-31',
    );
    release();
    expect(await view).toMatchObject({ to: '2026-10-31', total: 70 });
    // The guess was right: the view was built once (two periods' days).
    expect(dailyTotals).toHaveBeenCalledTimes(2);

    // After an import of newer days, the view is built on the new period.
    await importNovember(stores);
    expect(await costs.entityCost(snapshot, API, 7)).toMatchObject({
      from: '2026-10-28',
      to: '2026-11-03',
      total: 43,
    });
    expect(
      await costs.teamSummary(snapshot, TEAM, 7, () => true),
    ).toMatchObject({ total: 43, previousTotal: 70 });

    // A failed read of the day fails the view.
    lastDay.mockRejectedValueOnce(new Error('database went away'));
    await expect(costs.entityCost(snapshot, API, 7)).rejects.toThrow(
      'database went away',
    );
  });

  it('builds a group’s tab again on the new period when an import moved it, whatever the first attempt did', async () => {
    const { stores, costs } = await setUp();
    const withTeam: CostCatalogSnapshot = {
      ...snapshot,
      tree: GroupTree.fromEntities([
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Group',
          metadata: { name: 'team-checkout', namespace: 'default' },
          spec: { type: 'team', children: [] },
        },
      ]),
      byOwner: new Map([[TEAM, [...snapshot.entities.values()]]]),
    };
    expect(await costs.groupCost(withTeam, TEAM, 7, () => true)).toMatchObject({
      to: '2026-10-31',
      total: 70,
    });

    await importNovember(stores);
    // The attempt on the old period fails; its failure is not the
    // answer's, and is not left unhandled.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      jest
        .spyOn(stores.alerts, 'listAlerts')
        .mockRejectedValueOnce(new Error('a stale attempt failed'));
      const syncs = jest.spyOn(stores.rollups, 'syncOwners');
      // A new snapshot of the catalog, as after its minute.
      const renewed = { ...withTeam };
      expect(await costs.groupCost(renewed, TEAM, 7, () => true)).toMatchObject(
        { from: '2026-10-28', to: '2026-11-03', total: 43 },
      );
      // Its ownership was recorded once, not once per attempt.
      expect(syncs).toHaveBeenCalledTimes(1);
      await new Promise(resolve => setTimeout(resolve, 0));
      expect(unhandled).toEqual([]);
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });
});
