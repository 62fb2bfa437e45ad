/*
 * OpenCost's allocation API served locally (a response in the shape its API
 * documents: two days, aggregated by the cost-entity label, with unlabelled
 * and idle spend): each day's rows by entity ref, what names no entity
 * kept as unattributed, the window asked for on the first refresh and on
 * later ones, and a clear error when OpenCost fails.
 */
import { CostRow, CostSourceContext } from '@portal/plugin-finops-node';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  entityRefOfLabel,
  OpenCostSource,
  promLabelName,
} from './OpenCostSource';

const ALLOCATION = fs.readFileSync(
  path.join(__dirname, '__fixtures__/allocation-by-cost-entity.json'),
  'utf8',
);

async function fakeOpenCost(status = 200, body = ALLOCATION) {
  const seen: URL[] = [];
  const server = http.createServer((req, res) => {
    seen.push(new URL(req.url!, 'http://opencost'));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => server.close() };
}

function context(storedDays: string[] = []) {
  const replaced: Array<{ from: string; to: string; rows: CostRow[] }> = [];
  let calls = 0;
  const ctx: CostSourceContext = {
    tagKey: 'portal-entity-ref',
    storedDays: async () =>
      storedDays.map(day => ({ day, estimated: false, fetchedAt: new Date() })),
    replaceDays: async (from, to, rows) => {
      replaced.push({ from, to, rows });
    },
    countApiCall: () => {
      calls++;
    },
  };
  return { ctx, replaced, calls: () => calls };
}

const source = (url: string) =>
  new OpenCostSource({
    url: `${url}/`,
    cluster: 'prod-eu-1',
    label: 'portal.acme.example/cost-entity',
    backfillDays: 30,
    refreshDays: 2,
    currency: 'USD',
    today: () => '2026-12-06',
  });

describe('OpenCostSource', () => {
  it('attributes each workload by its cost-entity label, and keeps the rest unattributed', async () => {
    const opencost = await fakeOpenCost();
    try {
      const { ctx, replaced, calls } = context();
      await source(opencost.url).refresh(ctx);
      // The first refresh: the last 30 days up to yesterday, a set a day.
      expect(Object.fromEntries(opencost.seen[0].searchParams)).toEqual({
        window: '2026-11-06T00:00:00Z,2026-12-06T00:00:00Z',
        aggregate: 'label:portal_acme_example_cost_entity',
        step: '1d',
        accumulate: 'false',
      });
      expect(opencost.seen[0].pathname).toBe('/allocation');
      expect(calls()).toBe(1);
      expect(replaced).toHaveLength(1);
      expect(replaced[0]).toMatchObject({
        from: '2026-11-06',
        to: '2026-12-05',
      });
      const day = (d: string) =>
        replaced[0].rows
          .filter(r => r.day === d)
          .map(r => [r.tagValue ?? '(none)', r.service, r.amount, r.estimated])
          .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
      expect(day('2026-12-04')).toEqual([
        ['(none)', 'Kubernetes idle capacity', 4.25, false],
        ['(none)', 'Kubernetes workloads', 1, false],
        ['billing', 'Kubernetes workloads', 0.5, false],
        [
          'component:default/cart-service',
          'Kubernetes workloads',
          1.4592,
          false,
        ],
        [
          'component:default/payments-api',
          'Kubernetes workloads',
          3.1584,
          false,
        ],
      ]);
      // Yesterday's figures may still change.
      expect(
        replaced[0].rows
          .filter(r => r.day === '2026-12-05')
          .every(r => r.estimated),
      ).toBe(true);
      expect(replaced[0].rows[0]).toMatchObject({
        account: 'prod-eu-1',
        currency: 'USD',
        chargeCategory: 'Usage',
      });
    } finally {
      opencost.close();
    }
  });

  it('reads the days after the last one stored and the last two again', async () => {
    const opencost = await fakeOpenCost();
    try {
      const { ctx, replaced } = context(['2026-11-20', '2026-12-05']);
      await source(opencost.url).refresh(ctx);
      expect(opencost.seen[0].searchParams.get('window')).toBe(
        '2026-12-04T00:00:00Z,2026-12-06T00:00:00Z',
      );
      expect(replaced[0]).toMatchObject({
        from: '2026-12-04',
        to: '2026-12-05',
      });
      const gap = context(['2026-11-20']);
      await source(opencost.url).refresh(gap.ctx);
      expect(gap.replaced[0]).toMatchObject({ from: '2026-11-21' });
    } finally {
      opencost.close();
    }
  });

  it('says what OpenCost answered when it fails, and writes nothing', async () => {
    const down = await fakeOpenCost(500, '{"code":500,"message":"boom"}');
    const failing = await fakeOpenCost(
      200,
      '{"code":400,"message":"error parsing window"}',
    );
    try {
      const a = context();
      await expect(source(down.url).refresh(a.ctx)).rejects.toThrow(
        /^OpenCost answered 500 for http/,
      );
      const b = context();
      await expect(source(failing.url).refresh(b.ctx)).rejects.toThrow(
        'OpenCost answered code 400: error parsing window',
      );
      expect([...a.replaced, ...b.replaced]).toEqual([]);
    } finally {
      down.close();
      failing.close();
    }
  });

  it('reads label values back as entity refs', () => {
    expect(entityRefOfLabel('component.default.cart')).toBe(
      'component:default/cart',
    );
    expect(entityRefOfLabel('resource.orders-db')).toBe(
      'resource:default/orders-db',
    );
    expect(entityRefOfLabel('component.default.cart.v2')).toBe(
      'component:default/cart.v2',
    );
    expect(entityRefOfLabel('billing')).toBeUndefined();
    expect(entityRefOfLabel('a..b')).toBeUndefined();
    expect(promLabelName('portal.acme.example/cost-entity')).toBe(
      'portal_acme_example_cost_entity',
    );
  });
});
