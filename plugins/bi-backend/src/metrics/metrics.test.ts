import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { testDatabaseIds } from '@portal/test-utils';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProductEconomicsService } from './economics';
import {
  MetricDefinition,
  MetricReader,
  readMetricDefinitions,
} from './metrics';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const sqlMetric: MetricDefinition = {
  name: 'orders',
  title: 'Orders',
  unit: 'order',
  source: {
    type: 'sql',
    connection: 'warehouse',
    query:
      'select month, product as entity, sum(orders) as value from daily_orders group by month, product order by month',
  },
};

describe.each(databases.eachSupportedId())('SQL metric source on %p', id => {
  it('reads month, entity and value from a warehouse query', async () => {
    const knex = await databases.init(id);
    await knex.schema.createTable('daily_orders', t => {
      t.string('month');
      t.string('product');
      t.integer('orders');
    });
    await knex('daily_orders').insert([
      { month: '2026-09', product: 'checkout', orders: 1000 },
      { month: '2026-09', product: 'checkout', orders: 500 },
      { month: '2026-10', product: 'system:default/checkout', orders: 2000 },
    ]);
    const logged: string[] = [];
    const logger = mockServices.logger.mock({
      error: (message, error) => {
        logged.push(`${message}: ${(error as Error)?.message}`);
      },
    });
    const reader = new MetricReader(
      new ConfigReader({}),
      process.cwd(),
      logger,
    );
    reader.setConnection('warehouse', knex);
    const values = await reader.read(sqlMetric);
    expect(values).toEqual([
      { month: '2026-09', entityRef: 'system:default/checkout', value: 1500 },
      { month: '2026-10', entityRef: 'system:default/checkout', value: 2000 },
    ]);

    await expect(
      reader.read({
        ...sqlMetric,
        source: {
          ...sqlMetric.source,
          query: "select * from nowhere where password = 'hunter2'",
        } as any,
      }),
    ).rejects.toThrow(
      /^Metric "orders": the warehouse query failed \(the backend log says why\)$/,
    );
    // The driver's message (the table, the SQL) is in the log, not the answer.
    expect(logged).toEqual([
      expect.stringMatching(/the warehouse query failed: .*nowhere/),
    ]);
    await expect(
      reader.read({
        ...sqlMetric,
        source: {
          ...sqlMetric.source,
          query: "select 'soon' as month, 'checkout' as entity, 1 as value",
        } as any,
      }),
    ).rejects.toThrow(/query row 1: month "soon" is not a month/);
  });
});

describe('CSV metric source', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-metrics-'));
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return name;
  };
  const reader = new MetricReader(new ConfigReader({}), dir);
  const csv = (file: string): MetricDefinition => ({
    name: 'users',
    title: 'Active users',
    unit: 'active user',
    source: { type: 'csv', file },
  });

  it('reads a CSV file', async () => {
    const file = write(
      'ok.csv',
      'month,entity,value\n2026-09,mobile-app,12000\n2026-10,domain:default/storefront,5\n',
    );
    expect(await reader.read(csv(file))).toEqual([
      {
        month: '2026-09',
        entityRef: 'system:default/mobile-app',
        value: 12000,
      },
      { month: '2026-10', entityRef: 'domain:default/storefront', value: 5 },
    ]);
  });

  it.each([
    ['missing.csv', null, /cannot read missing.csv/],
    [
      'bad-value.csv',
      'month,entity,value\n2026-09,x,many\n',
      /line 2: value "many" is not a number/,
    ],
    [
      'bad-ref.csv',
      'month,entity,value\n2026-09,component:,1\n',
      /line 2: entity "component:" is not an entity ref/,
    ],
    ['bad-csv.csv', 'month,entity,value\n"2026-09,x,1\n', /is not valid CSV/],
  ])('refuses %s saying what is wrong', async (file, text, message) => {
    if (text !== null) write(file, text);
    const error = await reader.read(csv(file)).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
  });

  it('reads the metric definitions, refusing a source that is both or neither', () => {
    expect(
      readMetricDefinitions(
        new ConfigReader({
          bi: { metrics: [{ name: 'orders', source: { csv: 'a.csv' } }] },
        }),
      ),
    ).toEqual([
      {
        name: 'orders',
        title: 'orders',
        unit: 'orders',
        source: { type: 'csv', file: 'a.csv' },
      },
    ]);
    expect(() =>
      readMetricDefinitions(
        new ConfigReader({ bi: { metrics: [{ name: 'x', source: {} }] } }),
      ),
    ).toThrow(/needs exactly one of csv or sql/);
  });
});

describe('ProductEconomicsService', () => {
  it('divides cost by the metric month by month and reports failing sources', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-econ-'));
    fs.writeFileSync(
      path.join(dir, 'orders.csv'),
      'month,entity,value\n2026-09,checkout,1000\n2026-10,checkout,0\n2026-09,payments,9\n',
    );
    const service = new ProductEconomicsService(
      [
        {
          name: 'orders',
          title: 'Orders',
          unit: 'order',
          source: { type: 'csv', file: 'orders.csv' },
        },
        {
          name: 'broken',
          title: 'Broken metric',
          unit: 'x',
          source: { type: 'csv', file: 'missing.csv' },
        },
      ],
      new MetricReader(new ConfigReader({}), dir),
      async () => ({
        currency: 'USD',
        demo: false,
        monthly: [
          { period: '2026-08', amount: 100 },
          { period: '2026-09', amount: 250 },
          { period: '2026-10', amount: 300 },
        ],
      }),
    );
    const result = await service.economics('system:default/checkout');
    expect(result).toEqual({
      ref: 'system:default/checkout',
      currency: 'USD',
      months: ['2026-08', '2026-09', '2026-10'],
      cost: [100, 250, 300],
      metrics: [
        {
          name: 'orders',
          title: 'Orders',
          unit: 'order',
          values: [null, 1000, 0],
          unitCost: [null, 0.25, null],
        },
      ],
      errors: [
        {
          metric: 'Broken metric',
          message: expect.stringMatching(/cannot read missing.csv/),
        },
      ],
      demo: false,
    });
  });
});
