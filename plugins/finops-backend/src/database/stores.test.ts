/*
 * The FinOps stores on every test database (SQLite, and PostgreSQL when the
 * test command gives one): cost lines and roll-ups, entity costs, budgets,
 * alerts, recommendations, import runs.
 *
 * One file (above 500 lines): every test makes its stores on a fresh
 * database of each engine from the fixtures defined at the top (October's
 * attributed rows); it follows the stores in order.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '@portal/test-utils';
import { createFinopsStores } from './createFinopsStores';
import { daysBetween } from './days';
import { AttributedRow } from './types';

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

describe.each(databases.eachSupportedId())('FinOps stores on %p', id => {
  async function createStores() {
    const knex = await databases.init(id);
    const stores = await createFinopsStores({
      database: mockServices.database({ knex }),
    });
    return { knex, stores };
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
    const { knex, stores } = await createStores();
    const options = {
      source: 'focus:aws',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    };
    await stores.rollups.syncOwners(
      new Map([
        [PAYMENTS, CHECKOUT],
        [ORDERS, DATA],
      ]),
    );
    await stores.lines.replaceDays(options);
    await stores.lines.replaceDays(options);
    const [{ count }] = await knex('finops_cost_lines').count({ count: '*' });
    expect(Number(count)).toBe(rows.length);
    const total = await stores.rollups.dailyTotals(
      ALL,
      '2026-10-01',
      '2026-10-31',
    );
    expect(total).toHaveLength(31);
    expect(total[0]).toEqual({ key: '2026-10-01', amount: 56.5 });

    // A later import of two days replaces only those days.
    await stores.lines.replaceDays({
      source: 'focus:aws',
      from: '2026-10-30',
      to: '2026-10-31',
      rows: [row('2026-10-30', { amount: 100 })],
    });
    const end = await stores.rollups.dailyTotals(
      ALL,
      '2026-10-29',
      '2026-10-31',
    );
    expect(end).toEqual([
      { key: '2026-10-29', amount: 56.5 },
      { key: '2026-10-30', amount: 100 },
    ]);

    // Another source's rows stay.
    await stores.lines.replaceDays({
      source: 'focus:azure',
      from: '2026-10-01',
      to: '2026-10-01',
      rows: [row('2026-10-01', { amount: 7 })],
    });
    await stores.lines.replaceDays({ ...options, rows: [] });
    expect(
      await stores.rollups.dailyTotals(ALL, '2026-10-01', '2026-10-31'),
    ).toEqual([{ key: '2026-10-01', amount: 7 }]);
  });

  it('an import whose statement fails part way changes nothing, and says why', async () => {
    const { knex, stores } = await createStores();
    await stores.lines.replaceDays({
      source: 'focus:aws',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const before = await stores.rollups.dailyTotals(
      ALL,
      '2026-10-01',
      '2026-10-31',
    );
    const count = async () =>
      Number((await knex('finops_cost_lines').count({ count: '*' }))[0].count);
    // A row the database refuses (amount is NOT NULL), in the second batch
    // of three: the batches are stored while the next is read, so the
    // refusal reaches the reader at its next write.
    const bad = row('2026-10-02', { amount: null as unknown as number });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const writes: string[] = [];
      const failedAtWrite = await stores.lines
        .importLines({
          source: 'focus:aws',
          produce: async write => {
            await write(october.map(day => row(day, { amount: 1 })));
            writes.push('first');
            await write([row('2026-10-01', { service: 'S3' }), bad]);
            writes.push('second');
            await write([row('2026-10-03', { amount: 5 })]);
            writes.push('third');
          },
        })
        .catch(e => e);
      // The driver's own error (better-sqlite3's comes from outside jest's
      // realm, so not an instance of this Error): it names the column.
      expect(failedAtWrite).toHaveProperty(
        'message',
        expect.stringMatching(/amount/i),
      );
      expect(writes).toEqual(['first', 'second']);

      // The refused batch is the last: the import fails once the reader
      // has finished.
      const failedAtEnd = await stores.lines
        .importLines({
          source: 'focus:aws',
          produce: async write => {
            await write([row('2026-10-05', { amount: 1 })]);
            await write([bad]);
            return 'read';
          },
        })
        .catch(e => e);
      expect(failedAtEnd).toHaveProperty(
        'message',
        expect.stringMatching(/amount/i),
      );
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await count()).toBe(rows.length);
    expect(
      await stores.rollups.dailyTotals(ALL, '2026-10-01', '2026-10-31'),
    ).toEqual(before);
  });

  it('sums by day, month, entity and service within a scope', async () => {
    const { stores } = await createStores();
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const scope = { entityRefs: [PAYMENTS] };
    const daily = await stores.rollups.dailyTotals(
      scope,
      '2026-10-01',
      '2026-10-02',
    );
    expect(daily).toEqual([
      { key: '2026-10-01', amount: 12.5 },
      { key: '2026-10-02', amount: 12.5 },
    ]);
    expect(
      await stores.rollups.monthlyTotals(scope, '2026-09-01', '2026-10-31'),
    ).toEqual([{ key: '2026-10', amount: 12.5 * 31 }]);
    const byService = await stores.rollups.totalsByService(
      scope,
      '2026-10-01',
      '2026-10-10',
    );
    expect(byService.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'EC2', amount: 100 },
      { key: 'S3', amount: 25 },
    ]);
    const byEntity = await stores.entities.totalsByEntity(
      [PAYMENTS, ORDERS],
      '2026-10-01',
      '2026-10-01',
    );
    expect(byEntity.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: PAYMENTS, amount: 12.5 },
      { key: ORDERS, amount: 40 },
    ]);
    expect(
      await stores.rollups.dailyTotals(
        { entityRefs: [] },
        '2026-10-01',
        '2026-10-31',
      ),
    ).toEqual([]);
    expect(await stores.lines.lastDay()).toBe('2026-10-31');
  });

  it('rolls up by owner, and rebuilds when ownership changes', async () => {
    const { stores } = await createStores();
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    // Before any ownership is known, everything is unowned.
    expect(
      await stores.rollups.totalsByOwner('2026-10-01', '2026-10-01'),
    ).toEqual([{ key: '', amount: 56.5 }]);
    expect(
      await stores.rollups.syncOwners(
        new Map([
          [PAYMENTS, CHECKOUT],
          [ORDERS, DATA],
        ]),
      ),
    ).toBe(true);
    const owners = await stores.rollups.totalsByOwner(
      '2026-10-01',
      '2026-10-01',
    );
    expect(owners.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: '', amount: 4 },
      { key: CHECKOUT, amount: 12.5 },
      { key: DATA, amount: 40 },
    ]);
    expect(
      await stores.rollups.totalsByService(
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
      await stores.rollups.monthlyTotals(
        { ownerRefs: [DATA] },
        '2026-10',
        '2026-10',
      ),
    ).toEqual([{ key: '2026-10', amount: 40 * 31 }]);
    // The same ownership again changes nothing; a move rebuilds.
    expect(
      await stores.rollups.syncOwners(
        new Map([
          [PAYMENTS, CHECKOUT],
          [ORDERS, DATA],
        ]),
      ),
    ).toBe(false);
    await stores.rollups.syncOwners(
      new Map([
        [PAYMENTS, CHECKOUT],
        [ORDERS, CHECKOUT],
      ]),
    );
    expect(
      await stores.rollups.dailyTotals(
        { ownerRefs: [CHECKOUT] },
        '2026-10-01',
        '2026-10-01',
      ),
    ).toEqual([{ key: '2026-10-01', amount: 52.5 }]);
  });

  it('sums an entity’s cost over any period from its weeks and the days around them', async () => {
    const { stores } = await createStores();
    const days = daysBetween('2026-08-20', '2026-10-31');
    // A different amount every day, and days without cost, so that a day
    // counted twice or missed shows.
    const amountOf = (day: string, i: number) =>
      Number(day.slice(8, 10)) % 7 === 3 ? 0 : i + 1 + Number(day.slice(5, 7));
    await stores.lines.replaceDays({
      source: 's',
      from: days[0],
      to: days[days.length - 1],
      rows: days.flatMap((day, i) =>
        [
          row(day, { amount: amountOf(day, i) }),
          row(day, { tagValue: ORDERS, entityRef: ORDERS, amount: 2 * i }),
        ].filter(r => r.amount !== 0),
      ),
    });
    const expected = (ref: string, from: string, to: string) =>
      days
        .map((day, i) => ({ day, i }))
        .filter(({ day }) => day >= from && day <= to)
        .reduce(
          (t, { day, i }) => t + (ref === PAYMENTS ? amountOf(day, i) : 2 * i),
          0,
        );
    // Up to 500 entities are looked up one by one, more by day range.
    const many = [
      PAYMENTS,
      ORDERS,
      ...Array.from({ length: 600 }, (_, i) => `component:default/x-${i}`),
    ];
    for (const from of daysBetween('2026-09-01', '2026-09-09')) {
      for (const length of [1, 6, 7, 8, 13, 14, 15, 30, 45]) {
        const to = daysBetween(from, '2026-10-31')[length - 1];
        for (const refs of [[PAYMENTS, ORDERS], many]) {
          const totals = await stores.entities.totalsByEntity(refs, from, to);
          const got = new Map(totals.map(t => [t.key, t.amount]));
          expect([got.get(PAYMENTS) ?? 0, got.get(ORDERS) ?? 0]).toEqual([
            expect.closeTo(expected(PAYMENTS, from, to), 6),
            expect.closeTo(expected(ORDERS, from, to), 6),
          ]);
          expect(
            [...got.keys()].every(k => k === PAYMENTS || k === ORDERS),
          ).toBe(true);
        }
      }
    }
    // A period and the one before it in one read (as the group tabs ask),
    // for a few entities and for many.
    for (const refs of [[PAYMENTS, ORDERS], many]) {
      const [now, before] = await stores.entities.totalsByEntityInPeriods(
        refs,
        [
          { from: '2026-10-02', to: '2026-10-31' },
          { from: '2026-09-02', to: '2026-10-01' },
        ],
      );
      expect(now).toEqual([
        {
          key: PAYMENTS,
          amount: expect.closeTo(
            expected(PAYMENTS, '2026-10-02', '2026-10-31'),
            6,
          ),
        },
        {
          key: ORDERS,
          amount: expect.closeTo(
            expected(ORDERS, '2026-10-02', '2026-10-31'),
            6,
          ),
        },
      ]);
      expect(before).toEqual([
        {
          key: PAYMENTS,
          amount: expect.closeTo(
            expected(PAYMENTS, '2026-09-02', '2026-10-01'),
            6,
          ),
        },
        {
          key: ORDERS,
          amount: expect.closeTo(
            expected(ORDERS, '2026-09-02', '2026-10-01'),
            6,
          ),
        },
      ]);
    }
    // An entity without cost in the period is not listed.
    expect(
      await stores.entities.totalsByEntity(
        [PAYMENTS],
        '2026-11-01',
        '2026-11-30',
      ),
    ).toEqual([]);
  });

  it('looks up a department’s entities in statements of 100, side by side, with the same totals', async () => {
    const { knex, stores } = await createStores();
    const refs = Array.from(
      { length: 250 },
      (_, i) => `component:default/e-${String(i).padStart(3, '0')}`,
    );
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-09-01',
      to: '2026-10-31',
      rows: daysBetween('2026-09-01', '2026-10-31').flatMap(day =>
        refs.map((ref, i) =>
          row(day, { tagValue: ref, entityRef: ref, amount: i + 1 }),
        ),
      ),
    });
    const statements: string[] = [];
    const onQuery = (q: { sql: string }) => statements.push(q.sql);
    knex.on('query', onQuery);
    const [now, before] = await stores.entities.totalsByEntityInPeriods(refs, [
      { from: '2026-10-02', to: '2026-10-31' },
      { from: '2026-09-02', to: '2026-10-01' },
    ]);
    knex.removeListener('query', onQuery);
    // Every entity, once, in order, the last of each statement's share too.
    expect(now.map(t => t.key)).toEqual(refs);
    expect(now.map(t => t.amount)).toEqual(refs.map((_, i) => 30 * (i + 1)));
    expect(before.map(t => t.amount)).toEqual(refs.map((_, i) => 30 * (i + 1)));
    // SQLite reads the period's rows in one statement per period.
    expect(statements).toHaveLength(knex.client.config.client === 'pg' ? 3 : 2);
  });

  it('rolls up by group over each group’s subtree, and rebuilds when the tree changes', async () => {
    const { knex, stores } = await createStores();
    const ORG = 'group:default/org';
    const PLATFORM = 'group:default/platform';
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const owners = new Map([
      [PAYMENTS, CHECKOUT],
      [ORDERS, DATA],
      ['component:default/gone', ORG],
    ]);
    // org > platform > (checkout, data); org owns one thing itself.
    const tree = new Map([
      [ORG, [ORG, PLATFORM, CHECKOUT, DATA]],
      [PLATFORM, [PLATFORM, CHECKOUT, DATA]],
      [CHECKOUT, [CHECKOUT]],
      [DATA, [DATA]],
    ]);
    expect(await stores.rollups.syncOwners(owners, tree)).toBe(true);
    for (const [group, subtree] of tree) {
      for (const [from, to] of [
        ['2026-10-01', '2026-10-31'],
        ['2026-10-03', '2026-10-09'],
      ]) {
        expect(
          await stores.rollups.dailyTotals({ groupRef: group }, from, to),
        ).toEqual(
          await stores.rollups.dailyTotals({ ownerRefs: subtree }, from, to),
        );
        expect(
          await stores.rollups.totalsByService({ groupRef: group }, from, to),
        ).toEqual(
          await stores.rollups.totalsByService(
            { ownerRefs: subtree },
            from,
            to,
          ),
        );
      }
      expect(
        await stores.rollups.monthlyTotals(
          { groupRef: group },
          '2026-10',
          '2026-10',
        ),
      ).toEqual(
        await stores.rollups.monthlyTotals(
          { ownerRefs: subtree },
          '2026-10',
          '2026-10',
        ),
      );
    }
    const [now, before] = await stores.rollups.subtreeTotals([PLATFORM], ORG, [
      { from: '2026-10-01', to: '2026-10-01' },
      { from: '2026-09-01', to: '2026-09-30' },
    ]);
    expect(now).toEqual(
      new Map([
        [PLATFORM, 52.5],
        [ORG, 3],
      ]),
    );
    expect(before).toEqual(new Map());
    // Several groups, one without cost, and what the top owns itself.
    const [two] = await stores.rollups.subtreeTotals(
      [PLATFORM, CHECKOUT, DATA, 'group:default/empty'],
      ORG,
      [{ from: '2026-10-01', to: '2026-10-02' }],
    );
    expect(two).toEqual(
      new Map([
        [PLATFORM, 105],
        [CHECKOUT, 25],
        [DATA, 80],
        [ORG, 6],
      ]),
    );
    // An owner without cost is not listed.
    const [none] = await stores.rollups.subtreeTotals([], PLATFORM, [
      { from: '2026-10-01', to: '2026-10-02' },
    ]);
    expect(none).toEqual(new Map());
    // On PostgreSQL the daily keys carry the amount, so that a department's
    // entities and teams are read from the index alone (bench:costs);
    // SQLite has no INCLUDE.
    const pg = knex.client.config.client === 'pg';
    const keys = pg
      ? await knex.raw(
          `select indexdef from pg_indexes where indexname in
           ('finops_entity_daily_pkey', 'finops_group_daily_pkey')
           order by tablename`,
        )
      : { rows: [] };
    const covering = keys.rows.map((k: { indexdef: string }) =>
      /\((entity_ref, day|group_ref, day, service)\) INCLUDE \(amount\)$/.test(
        k.indexdef,
      ),
    );
    expect(covering).toEqual(pg ? [true, true] : []);
    // The same tree again changes nothing; data moved out of platform
    // rebuilds the group roll-ups.
    expect(await stores.rollups.syncOwners(owners, tree)).toBe(false);
    expect(
      await stores.rollups.syncOwners(
        owners,
        new Map([
          [ORG, [ORG, PLATFORM, CHECKOUT, DATA]],
          [PLATFORM, [PLATFORM, CHECKOUT]],
          [CHECKOUT, [CHECKOUT]],
          [DATA, [DATA]],
        ]),
      ),
    ).toBe(true);
    expect(
      await stores.rollups.dailyTotals(
        { groupRef: PLATFORM },
        '2026-10-01',
        '2026-10-01',
      ),
    ).toEqual([{ key: '2026-10-01', amount: 12.5 }]);
    // Ownership known without the tree keeps the group roll-ups' tree.
    await stores.rollups.syncOwners(new Map([[PAYMENTS, CHECKOUT]]));
    expect(
      await stores.rollups.dailyTotals(
        { groupRef: ORG },
        '2026-10-01',
        '2026-10-01',
      ),
    ).toEqual([{ key: '2026-10-01', amount: 12.5 }]);
  });

  it('finds spend that no known entity owns', async () => {
    const { stores } = await createStores();
    await stores.lines.replaceDays({
      source: 's',
      from: '2026-10-01',
      to: '2026-10-31',
      rows,
    });
    const lines = await stores.lines.unattributed(
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
    const { stores } = await createStores();
    await stores.lines.replaceDays({
      source: 'aws-ce',
      from: '2026-10-01',
      to: '2026-10-03',
      rows: [row('2026-10-01'), row('2026-10-03', { estimated: true })],
      trackDays: { fetchedAt: new Date('2026-10-04T06:00:00Z') },
    });
    const days = await stores.lines.storedDays('aws-ce');
    expect(days.map(d => [d.day, d.estimated])).toEqual([
      ['2026-10-01', false],
      ['2026-10-02', false],
      ['2026-10-03', true],
    ]);
    expect(await stores.entities.firstEstimatedDay('2026-09-01')).toBe(
      '2026-10-03',
    );
    expect(
      await stores.entities.firstEstimatedDay('2026-09-01', [ORDERS]),
    ).toBeUndefined();
  });

  it('keeps budgets and alerts, each alert once', async () => {
    const { stores } = await createStores();
    const budget = {
      groupRef: 'group:default/team-checkout',
      monthlyAmount: 1000,
      currency: 'USD',
      updatedBy: 'user:default/priya-sharma',
      updatedAt: new Date('2026-10-01T00:00:00Z'),
    };
    await stores.budgets.setBudget(budget);
    await stores.budgets.setBudget({ ...budget, monthlyAmount: 1500 });
    expect(await stores.budgets.getBudgets()).toEqual([
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
    expect(await stores.alerts.addAlerts([alert])).toHaveLength(1);
    expect(await stores.alerts.addAlerts([alert])).toHaveLength(0);
    expect(
      await stores.alerts.listAlerts([PAYMENTS], '2026-10-01'),
    ).toHaveLength(1);
    expect(await stores.budgets.deleteBudget(budget.groupRef)).toBe(true);
    expect(await stores.budgets.deleteBudget(budget.groupRef)).toBe(false);
  });

  it('records imports, the failed ones too', async () => {
    const { stores } = await createStores();
    const base = {
      source: 'focus:aws',
      startedAt: '2026-10-01T00:00:00.000Z',
      rowsRead: 10,
      rowsStored: 5,
    };
    await stores.imports.recordImport({
      ...base,
      status: 'succeeded',
      finishedAt: '2026-10-01T00:01:00.000Z',
      from: '2026-09-01',
      to: '2026-09-30',
    });
    await stores.imports.recordImport({
      ...base,
      status: 'failed',
      finishedAt: '2026-10-02T00:01:00.000Z',
      rowsRead: 0,
      rowsStored: 0,
      error: 'bad file',
    });
    const runs = await stores.imports.listImports(10);
    expect(runs.map(r => [r.status, r.error])).toEqual([
      ['failed', 'bad file'],
      ['succeeded', undefined],
    ]);
    expect(runs[1]).toMatchObject({ from: '2026-09-01', to: '2026-09-30' });
  });
});
