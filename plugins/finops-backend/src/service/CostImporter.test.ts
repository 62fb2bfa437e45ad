import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { GroupTree } from '@portal/catalog-ownership';
import { CostSource } from '@portal/plugin-finops-node';
import { testDatabaseIds } from '@portal/test-utils';
import { createFinopsStores } from '../database/createFinopsStores';
import { CostCatalog } from './CostCatalog';
import { CostImporter } from './CostImporter';
import { readFinopsOptions } from './options';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const catalog = {
  snapshot: async () => ({
    entities: new Map([
      [
        'component:default/payments-api',
        {
          ref: 'component:default/payments-api',
          kind: 'component',
          title: 'Payments API',
          ownerRef: 'group:default/team-checkout',
        },
      ],
    ]),
    byOwner: new Map(),
    tree: GroupTree.fromEntities([]),
  }),
} as unknown as CostCatalog;

describe.each(databases.eachSupportedId())('CostImporter on %p', id => {
  async function setup() {
    const knex = await databases.init(id);
    const stores = await createFinopsStores({
      database: mockServices.database({ knex }),
    });
    const importer = new CostImporter(
      stores,
      readFinopsOptions(mockServices.rootConfig({ data: {} })),
      catalog,
      mockServices.logger.mock(),
    );
    return { stores, importer };
  }

  it('stores a pulled source’s rows by entity, with its days and API calls', async () => {
    const { stores, importer } = await setup();
    const source: CostSource = {
      id: 'aws-ce',
      description: 'test',
      async refresh(context) {
        context.countApiCall();
        context.countApiCall();
        await context.replaceDays('2026-10-01', '2026-10-02', [
          {
            day: '2026-10-01',
            tagValue: 'component:default/payments-api',
            service: 'EC2',
            amount: 10,
            currency: 'USD',
          },
          {
            day: '2026-10-02',
            tagValue: '',
            service: 'Support',
            amount: 3,
            currency: 'USD',
            estimated: true,
          },
        ]);
      },
    };
    const run = await importer.refreshSource(source);
    expect(run).toMatchObject({
      status: 'succeeded',
      rowsStored: 2,
      apiCalls: 2,
      from: '2026-10-01',
      to: '2026-10-02',
    });
    expect(
      await stores.entities.totalsByEntity(
        ['component:default/payments-api', ''],
        '2026-10-01',
        '2026-10-02',
      ),
    ).toEqual([
      { key: '', amount: 3 },
      { key: 'component:default/payments-api', amount: 10 },
    ]);
    expect(
      (await stores.lines.storedDays('aws-ce')).map(d => d.estimated),
    ).toEqual([false, true]);
  });

  it('keeps a source’s purchase recommendations, replaced on each refresh', async () => {
    const { stores, importer } = await setup();
    const recommendation = {
      kind: 'savings-plans' as const,
      description: 'Commit 1.25 USD an hour',
      service: 'Compute Savings Plans',
      term: 'ONE_YEAR',
      paymentOption: 'NO_UPFRONT',
      estimatedMonthlySavings: 98.1,
      upfrontCost: 0,
      currency: 'USD',
    };
    let calls = 0;
    const source: CostSource = {
      id: 'aws-ce',
      description: 'test',
      async refresh() {},
      async recommendations() {
        calls++;
        if (calls === 3) throw new Error('DataUnavailableException');
        return calls === 1
          ? [recommendation, { ...recommendation, estimatedMonthlySavings: 5 }]
          : [recommendation];
      },
    };
    await importer.refreshSource(source);
    expect(
      (await stores.recommendations.listRecommendations()).map(
        r => r.estimatedMonthlySavings,
      ),
    ).toEqual([98.1, 5]);
    await importer.refreshSource(source);
    expect(await stores.recommendations.listRecommendations()).toEqual([
      expect.objectContaining({ source: 'aws-ce', ...recommendation }),
    ]);
    // A failure keeps the last ones and does not fail the refresh.
    await expect(importer.refreshSource(source)).resolves.toMatchObject({
      status: 'succeeded',
    });
    expect(await stores.recommendations.listRecommendations()).toHaveLength(1);
  });

  it('records a failed refresh and keeps the data it had', async () => {
    const { stores, importer } = await setup();
    await stores.lines.replaceDays({
      source: 'aws-ce',
      from: '2026-10-01',
      to: '2026-10-01',
      rows: [
        {
          day: '2026-10-01',
          service: 'EC2',
          amount: 5,
          currency: 'USD',
        },
      ],
    });
    const failing: CostSource = {
      id: 'aws-ce',
      description: 'test',
      async refresh(context) {
        context.countApiCall();
        throw new Error('AccessDeniedException: not authorized');
      },
    };
    await expect(importer.refreshSource(failing)).rejects.toThrow(
      /not authorized/,
    );
    const [run] = await stores.imports.listImports(1);
    expect(run).toMatchObject({
      status: 'failed',
      apiCalls: 1,
      error: 'AccessDeniedException: not authorized',
    });
    expect(
      await stores.rollups.dailyTotals(
        { entityRefs: [''] },
        '2026-10-01',
        '2026-10-01',
      ),
    ).toEqual([{ key: '2026-10-01', amount: 5 }]);
  });
});
