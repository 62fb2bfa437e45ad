/*
 * SLOs evaluated against a real Prometheus (Debian's package) that the test
 * starts with ten days of the demo traffic backfilled by promtool.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  demoSamples,
  LocalPrometheus,
  openMetricsOf,
} from '@portal/plugin-sre-backend-module-demo';
import { PrometheusSource } from '@portal/plugin-sre-node';
import { testDatabaseIds } from '@portal/test-utils';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SreStore } from '../database/SreStore';
import { parseOpenSlo } from './openslo';
import { SloEvaluator } from './SloEvaluator';

const ROOT = path.resolve(__dirname, '../../../..');
const NOW = Math.floor(Date.UTC(2026, 10, 20, 12) / 1000);
const AT = new Date(NOW * 1000);

const definitionsOf = (service: string) =>
  parseOpenSlo(
    fs.readFileSync(path.join(ROOT, `catalog/slos/${service}.yaml`), 'utf8'),
    `component:default/${service}`,
  );

describe('SLO evaluation against Prometheus', () => {
  let prometheus: LocalPrometheus;
  let dir: string;
  const databases = TestDatabases.create({ ids: testDatabaseIds() });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-prometheus-'));
    prometheus = await LocalPrometheus.start({
      dir,
      history: () =>
        openMetricsOf(demoSamples(NOW - 10 * 86_400, NOW, 60, NOW)),
    });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setup(
    databaseId: (typeof databases)['supportedIds'][number],
    url = prometheus.url,
    timeoutMs = 10_000,
  ) {
    const knex = await databases.init(databaseId);
    const store = await SreStore.create({
      database: mockServices.database({ knex }),
    });
    await store.replaceDefinitions(
      [
        'component:default/payments-api',
        'component:default/cart-service',
        'component:default/checkout-service',
      ],
      [
        ...definitionsOf('payments-api'),
        ...definitionsOf('cart-service'),
        ...definitionsOf('checkout-service'),
      ],
    );
    const source = new PrometheusSource({ name: 'test', url, timeoutMs });
    const evaluator = new SloEvaluator(
      store,
      [source],
      { concurrency: 4 },
      mockServices.logger.mock(),
    );
    return { store, evaluator, source };
  }

  const byName = async (store: SreStore) =>
    Object.fromEntries(
      (
        await store.listSlos([
          'component:default/payments-api',
          'component:default/cart-service',
          'component:default/checkout-service',
        ])
      ).items.map(s => [s.name, s]),
    );

  it.each(databases.eachSupportedId())(
    'computes SLI, budget, burn rates and status from the history, on %p',
    async databaseId => {
      const { store, evaluator } = await setup(databaseId);
      const run = await evaluator.evaluateAll(AT);
      expect(run).toMatchObject({ evaluated: 6, failed: 0 });
      const slos = await byName(store);

      // A bad deploy 40 minutes ago, still failing a tenth of payments.
      const payments = slos['payments-api-availability'];
      expect(payments.status).toBe('burning-fast');
      expect(payments.burnRates['5m']).toBeCloseTo(100, -1);
      expect(payments.burnRates['1h']).toBeGreaterThan(14.4);
      expect(payments.burnRates['3d']).toBeLessThan(14.4);
      expect(payments.errorBudgetRemaining).toBeGreaterThan(0);

      // Nine days ago, six hours at 35 % errors spent the budget.
      const cart = slos['cart-service-availability'];
      expect(cart.status).toBe('exhausted');
      expect(cart.errorBudgetRemaining).toBeLessThan(0);
      expect(cart.burnRates['1h']).toBeCloseTo(0.8, 1);

      const checkout = slos['checkout-service-availability'];
      expect(checkout.status).toBe('ok');
      expect(checkout.sli).toBeCloseTo(0.9992, 4);
      expect(checkout.errorBudgetRemaining).toBeCloseTo(0.84, 2);
      expect(slos['checkout-service-latency'].sli).toBeCloseTo(0.996, 3);

      // Worst first.
      const order = (
        await store.listSlos([
          'component:default/payments-api',
          'component:default/cart-service',
          'component:default/checkout-service',
        ])
      ).items.map(s => s.status);
      expect(order.slice(0, 2)).toEqual(['exhausted', 'burning-fast']);

      // A new SLO's last week comes from range queries, hour by hour: the
      // deploy 40 minutes ago is only in the last point.
      const history = await store.history(
        payments.id,
        new Date(AT.getTime() - 8 * 86_400_000),
      );
      expect(history).toHaveLength(7 * 24 + 1);
      expect(history[history.length - 1]).toMatchObject({
        at: AT.toISOString(),
        status: 'burning-fast',
      });
      expect(history[history.length - 2]).toMatchObject({ status: 'ok' });
      const cartHistory = await store.history(cart.id, new Date(0));
      expect(cartHistory[0].status).toBe('exhausted');
    },
    60_000,
  );

  it.each(databases.eachSupportedId())(
    'keeps the last values and records the error when Prometheus is unreachable, slow or refuses, on %p',
    async databaseId => {
      const { store, evaluator } = await setup(databaseId);
      await evaluator.evaluateAll(AT);
      const before = await byName(store);

      // Unreachable: nothing listens on the port.
      const down = await setup(databaseId, 'http://127.0.0.1:9');
      await down.store.replaceDefinitions([], []);
      const later = new Date(AT.getTime() + 60_000);
      const unreachable = new SloEvaluator(
        store,
        [down.source],
        { concurrency: 4 },
        mockServices.logger.mock(),
      );
      const run = await unreachable.evaluateAll(later);
      expect(run).toMatchObject({ evaluated: 0, failed: 6 });
      expect(run.firstError).toMatch(
        /Prometheus test \(http:\/\/127.0.0.1:9\) is unreachable/,
      );
      const after = await byName(store);
      expect(after['cart-service-availability']).toMatchObject({
        status: 'exhausted',
        sli: before['cart-service-availability'].sli,
        evaluatedAt: AT.toISOString(),
        lastError: expect.stringMatching(/unreachable/),
        lastErrorAt: later.toISOString(),
      });

      // Slow: a server that never answers within the timeout.
      const slow = http.createServer(() => {});
      await new Promise<void>(resolve => slow.listen(0, '127.0.0.1', resolve));
      const port = (slow.address() as any).port;
      const slowSource = new PrometheusSource({
        name: 'slow',
        url: `http://127.0.0.1:${port}`,
        timeoutMs: 300,
      });
      await expect(slowSource.instant('up', AT)).rejects.toThrow(
        /no answer within 300 ms/,
      );
      slow.closeAllConnections();
      slow.close();

      // Refused: a query Prometheus cannot parse.
      const source = new PrometheusSource({
        name: 'test',
        url: prometheus.url,
        timeoutMs: 5000,
      });
      await expect(source.instant('sum(rate(', AT)).rejects.toThrow(
        /refused the query \(400\): .*parse error/,
      );
    },
    60_000,
  );
});
