import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '@portal/test-utils';
import { AttributedRow, daysBetween, FinopsStore } from './FinopsStore';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const PAYMENTS = 'component:default/payments-api';
const ORDERS = 'resource:default/orders-db';
const CHECKOUT = 'group:default/team-checkout';
const DATA = 'group:default/team-data';
/** Every owner, and "" for spend without a known owner: all of it. */
const ALL = { ownerRefs: [CHECKOUT, DATA, ''] };

function row(day: string, extra: Partial<AttributedRow> = {}): AttributedRow {
  return {
    day,
    tagValue: PAYMENTS,
    entityRef: PAYMENTS,
    service: 'EC2',
    account: '1111',
    amount: 10,
    currency: 'USD',
    ...extra,
  };
}

describe.each(databases.eachSupportedId())('FinopsStore on %p', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await FinopsStore.create({
      database: mockServices.database({ knex }),
    });
    return { knex, store };
  }

  const october = daysBetween('2026-10-01', '2026-10-31');
  const rows = october.flatMap(day => [
    row(day),
    row(day, { service: 'S3', amount: 2.5 }),
    row(day, {
      tagValue: ORDERS,
      entityRef: ORDERS,
      service: 'RDS',
      amount: 40,
    }),
    row(day, {
      tagValue: '',
      entityRef: undefined,
      service: 'Support',
      amount: 1,
    }),
    row(day, {
      tagValue: 'component:default/gone',
      entityRef: 'component:default/gone',
      service: 'EC2',
      amount: 3,
    }),
  ]);

  it('replaces a source’s days, so importing twice changes nothing', async () => {
    const { knex, store } = await createStore();
    const options = {
      source: 'focus:aws',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    };
    await store.syncOwners(
      new Map([
        [PAYMENTS, CHECKOUT],
        [ORDERS, DATA],
      ]),
    );
    await store.replaceDays(options);
    await store.replaceDays(options);
    const [{ count }] = await knex('finops_cost_lines').count({ count: '*' });
    expect(Number(count)).toBe(rows.length);
    const total = await store.dailyTotals(ALL, '2026-10-01', '2026-10-31');
    expect(total).toHaveLength(31);
    expect(total[0]).toEqual({ key: '2026-10-01', amount: 56.5 });

    // A later import of two days replaces only those days.
    await store.replaceDays({
      source: 'focus:aws',
      from: '2026-10-30',
      to: '2026-10-31',
      rows: [row('2026-10-30', { amount: 100 })],
    });
    const end = await store.dailyTotals(ALL, '2026-10-29', '2026-10-31');
    expect(end).toEqual([
      { key: '2026-10-29', amount: 56.5 },
      { key: '2026-10-30', amount: 100 },
    ]);

    // Another source's rows stay.
    await store.replaceDays({
      source: 'focus:azure',
      from: '2026-10-01',
      to: '2026-10-01',
      rows: [row('2026-10-01', { amount: 7 })],
    });
    await store.replaceDays({ ...options, rows: [] });
    expect(await store.dailyTotals(ALL, '2026-10-01', '2026-10-31')).toEqual([
      { key: '2026-10-01', amount: 7 },
    ]);
  });

  it('sums by day, month, entity and service within a scope', async () => {
    const { store } = await createStore();
    await store.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const scope = { entityRefs: [PAYMENTS] };
    const daily = await store.dailyTotals(scope, '2026-10-01', '2026-10-02');
    expect(daily).toEqual([
      { key: '2026-10-01', amount: 12.5 },
      { key: '2026-10-02', amount: 12.5 },
    ]);
    expect(
      await store.monthlyTotals(scope, '2026-09-01', '2026-10-31'),
    ).toEqual([{ key: '2026-10', amount: 12.5 * 31 }]);
    const byService = await store.totalsByService(
      scope,
      '2026-10-01',
      '2026-10-10',
    );
    expect(byService.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'EC2', amount: 100 },
      { key: 'S3', amount: 25 },
    ]);
    const byEntity = await store.totalsByEntity(
      [PAYMENTS, ORDERS],
      '2026-10-01',
      '2026-10-01',
    );
    expect(byEntity.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: PAYMENTS, amount: 12.5 },
      { key: ORDERS, amount: 40 },
    ]);
    expect(
      await store.dailyTotals({ entityRefs: [] }, '2026-10-01', '2026-10-31'),
    ).toEqual([]);
    expect(await store.lastDay()).toBe('2026-10-31');
  });

  it('rolls up by owner, and rebuilds when ownership changes', async () => {
    const { store } = await createStore();
    await store.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    // Before any ownership is known, everything is unowned.
    expect(await store.totalsByOwner('2026-10-01', '2026-10-01')).toEqual([
      { key: '', amount: 56.5 },
    ]);
    expect(
      await store.syncOwners(
        new Map([
          [PAYMENTS, CHECKOUT],
          [ORDERS, DATA],
        ]),
      ),
    ).toBe(true);
    const owners = await store.totalsByOwner('2026-10-01', '2026-10-01');
    expect(owners.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: '', amount: 4 },
      { key: CHECKOUT, amount: 12.5 },
      { key: DATA, amount: 40 },
    ]);
    expect(
      await store.totalsByService(
        { ownerRefs: [CHECKOUT] },
        '2026-10-01',
        '2026-10-02',
      ),
    ).toEqual(
      expect.arrayContaining([
        { key: 'EC2', amount: 20 },
        { key: 'S3', amount: 5 },
      ]),
    );
    expect(
      await store.monthlyTotals({ ownerRefs: [DATA] }, '2026-10', '2026-10'),
    ).toEqual([{ key: '2026-10', amount: 40 * 31 }]);
    // The same ownership again changes nothing; a move rebuilds.
    expect(
      await store.syncOwners(
        new Map([
          [PAYMENTS, CHECKOUT],
          [ORDERS, DATA],
        ]),
      ),
    ).toBe(false);
    await store.syncOwners(
      new Map([
        [PAYMENTS, CHECKOUT],
        [ORDERS, CHECKOUT],
      ]),
    );
    expect(
      await store.dailyTotals(
        { ownerRefs: [CHECKOUT] },
        '2026-10-01',
        '2026-10-01',
      ),
    ).toEqual([{ key: '2026-10-01', amount: 52.5 }]);
  });

  it('finds spend that no known entity owns', async () => {
    const { store } = await createStore();
    await store.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const lines = await store.unattributed(
      [PAYMENTS, ORDERS],
      '2026-10-01',
      '2026-10-10',
    );
    expect(lines.sort((a, b) => a.service.localeCompare(b.service))).toEqual([
      {
        service: 'EC2',
        account: '1111',
        tagValue: 'component:default/gone',
        entityRef: 'component:default/gone',
        amount: 30,
      },
      {
        service: 'Support',
        account: '1111',
        tagValue: '',
        entityRef: null,
        amount: 10,
      },
    ]);
  });

  it('remembers which days a pulled source has, and which were estimated', async () => {
    const { store } = await createStore();
    await store.replaceDays({
      source: 'aws-ce',
      from: '2026-10-01',
      to: '2026-10-03',
      rows: [row('2026-10-01'), row('2026-10-03', { estimated: true })],
      trackDays: { fetchedAt: new Date('2026-10-04T06:00:00Z') },
    });
    const days = await store.storedDays('aws-ce');
    expect(days.map(d => [d.day, d.estimated])).toEqual([
      ['2026-10-01', false],
      ['2026-10-02', false],
      ['2026-10-03', true],
    ]);
    expect(await store.firstEstimatedDay('2026-09-01')).toBe('2026-10-03');
    expect(
      await store.firstEstimatedDay('2026-09-01', [ORDERS]),
    ).toBeUndefined();
  });

  it('keeps budgets and alerts, each alert once', async () => {
    const { store } = await createStore();
    const budget = {
      groupRef: 'group:default/team-checkout',
      monthlyAmount: 1000,
      currency: 'USD',
      updatedBy: 'user:default/priya-sharma',
      updatedAt: new Date('2026-10-01T00:00:00Z'),
    };
    await store.setBudget(budget);
    await store.setBudget({ ...budget, monthlyAmount: 1500 });
    expect(await store.getBudgets()).toEqual([
      expect.objectContaining({ monthlyAmount: 1500 }),
    ]);
    const alert = {
      kind: 'anomaly' as const,
      ref: PAYMENTS,
      ownerRef: 'group:default/team-checkout',
      day: '2026-10-31',
      amount: 500,
      expected: 50,
      message: 'spike',
      createdAt: new Date(),
    };
    expect(await store.addAlerts([alert])).toHaveLength(1);
    expect(await store.addAlerts([alert])).toHaveLength(0);
    expect(await store.listAlerts([PAYMENTS], '2026-10-01')).toHaveLength(1);
    expect(await store.deleteBudget(budget.groupRef)).toBe(true);
    expect(await store.deleteBudget(budget.groupRef)).toBe(false);
  });

  it('records imports, the failed ones too', async () => {
    const { store } = await createStore();
    const base = {
      source: 'focus:aws',
      startedAt: '2026-10-01T00:00:00.000Z',
      rowsRead: 10,
      rowsStored: 5,
    };
    await store.recordImport({
      ...base,
      status: 'succeeded',
      finishedAt: '2026-10-01T00:01:00.000Z',
      from: '2026-09-01',
      to: '2026-09-30',
    });
    await store.recordImport({
      ...base,
      status: 'failed',
      finishedAt: '2026-10-02T00:01:00.000Z',
      rowsRead: 0,
      rowsStored: 0,
      error: 'bad file',
    });
    const runs = await store.listImports(10);
    expect(runs.map(r => [r.status, r.error])).toEqual([
      ['failed', 'bad file'],
      ['succeeded', undefined],
    ]);
    expect(runs[1]).toMatchObject({ from: '2026-09-01', to: '2026-09-30' });
  });
});
