/*
 * The FinOps backend over HTTP on one test backend: imports, the cost views
 * of an entity, a group and the organisation, budgets, export, and the
 * permission decisions and bad input of each.
 *
 * One file (above 500 lines): every test starts its backend with the start
 * helper and imports the billing fixtures defined at the top; splitting it
 * by route group, as SecOps' was, is the next step when it grows.
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { finopsCostSourcesExtensionPoint } from '@portal/plugin-finops-node';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { finopsPlugin } from './plugin';
import {
  as,
  AuditRecord,
  BEN,
  billingExport,
  entities,
  importExport,
  machine,
  MAYA,
  policyPermissions,
  PRIYA,
  start,
} from './__testUtils__/backend';

describe('finops backend', () => {
  it('imports a billing export once: importing it again changes nothing', async () => {
    const server = await start();
    const first = await importExport(server, billingExport());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'succeeded',
      rowsRead: 61 * 6,
      from: '2026-09-01',
      to: '2026-10-31',
    });
    const again = await request(server)
      .post('/api/finops/imports/focus')
      .query({ source: 'aws-main' })
      .set('authorization', PRIYA)
      .set('content-encoding', 'gzip')
      .send(gzipSync(billingExport()));
    expect(again.status).toBe(201);
    const cost = await request(server)
      .get('/api/finops/entities/component/default/payments-api/cost')
      .query({ days: 30 })
      .set('authorization', BEN);
    expect(cost.status).toBe(200);
    expect(cost.body).toMatchObject({
      ref: 'component:default/payments-api',
      currency: 'USD',
      from: '2026-10-02',
      to: '2026-10-31',
      total: 300,
      previousTotal: 300,
      byService: [{ key: 'EC2', amount: 300, previous: 300 }],
    });
    expect(cost.body.daily).toHaveLength(30);
    expect(cost.body.monthly.slice(-2)).toEqual([
      { period: '2026-09', amount: 300 },
      { period: '2026-10', amount: 310 },
    ]);
  });

  it('shows a system with its parts', async () => {
    const server = await start();
    await importExport(server, billingExport());
    const cost = await request(server)
      .get('/api/finops/entities/system/default/shop/cost')
      .query({ days: 30 })
      .set('authorization', BEN);
    expect(cost.status).toBe(200);
    expect(cost.body.total).toBe(30 * (10 + 2 + 30));
  });

  it('lets a developer see their team, and refuses the rest', async () => {
    const server = await start();
    await importExport(server, billingExport());
    const other = await request(server)
      .get('/api/finops/entities/component/default/catalog-service/cost')
      .set('authorization', BEN);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(
      /owned by group:default\/team-catalog/,
    );
    const team = await request(server)
      .get('/api/finops/groups/default/team-checkout/cost')
      .set('authorization', BEN);
    expect(team.status).toBe(200);
    expect(team.body.total).toBe(30 * 42);
    const department = await request(server)
      .get('/api/finops/groups/default/engineering/cost')
      .set('authorization', BEN);
    expect(department.status).toBe(403);
    const org = await request(server)
      .get('/api/finops/organisation/cost')
      .set('authorization', BEN);
    expect(org.status).toBe(403);
    expect(org.body.error.message).toMatch(/Only the finance group/);
  });

  it('gives a manager the department rolled up by team', async () => {
    const server = await start();
    await importExport(server, billingExport());
    const res = await request(server)
      .get('/api/finops/groups/default/engineering/cost')
      .query({ days: 30 })
      .set('authorization', MAYA);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(30 * 47);
    expect(res.body.byChild.map((c: any) => [c.key, c.amount])).toEqual([
      ['group:default/team-checkout', 30 * 42],
      ['group:default/team-catalog', 30 * 5],
    ]);
    expect(res.body.byEntity[0]).toMatchObject({
      key: 'resource:default/orders-db',
      amount: 900,
    });
    const page = await request(server)
      .get('/api/finops/groups/default/engineering/entities')
      .query({ limit: 2 })
      .set('authorization', MAYA);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.totalCount).toBe(4);
    const next = await request(server)
      .get('/api/finops/groups/default/engineering/entities')
      .query({ limit: 2, cursor: page.body.nextCursor })
      .set('authorization', MAYA);
    expect(next.body.items.map((i: any) => i.key)).not.toContain(
      page.body.items[0].key,
    );
    expect(next.body.nextCursor).toBeUndefined();
  });

  it("gives the home page each of the person's teams in one call", async () => {
    const server = await start();
    await importExport(server, billingExport());
    const summary = async (who: string) =>
      request(server).get('/api/finops/me/summary').set('authorization', who);
    const ben = await summary(BEN);
    expect(ben.status).toBe(200);
    expect(ben.body.items).toEqual([
      expect.objectContaining({
        groupRef: 'group:default/team-checkout',
        title: 'team-checkout',
        total: 30 * 42,
        currency: 'USD',
        alerts: expect.any(Array),
      }),
    ]);
    // A department head's team is the department, rolled up.
    const maya = await summary(MAYA);
    expect(maya.body.items).toEqual([
      expect.objectContaining({
        groupRef: 'group:default/engineering',
        total: 30 * 47,
      }),
    ]);
    // The same figures as the department's cost tab shows.
    const tab = await request(server)
      .get('/api/finops/groups/default/engineering/cost')
      .query({ days: 30 })
      .set('authorization', MAYA);
    expect(maya.body.items[0]).toMatchObject({
      total: tab.body.total,
      previousTotal: tab.body.previousTotal,
      currency: tab.body.currency,
      alerts: tab.body.alerts.slice(0, 2),
    });
    expect(maya.body.items[0].budget).toEqual(tab.body.budget);
    // Someone the catalog does not know has no teams; machines have no "me".
    expect((await summary(as('user:default/stranger'))).body.items).toEqual([]);
    expect((await summary(machine('cost-reporting'))).status).toBe(403);
  }, 120_000);

  it('gives finance the organisation, unattributed spend and a CSV export', async () => {
    const server = await start();
    await importExport(server, billingExport());
    const org = await request(server)
      .get('/api/finops/organisation/cost')
      .query({ months: 2 })
      .set('authorization', PRIYA);
    expect(org.status).toBe(200);
    expect(org.body.months).toEqual(['2026-09', '2026-10']);
    expect(org.body.byDepartment).toEqual([
      {
        ref: 'group:default/engineering',
        title: 'engineering',
        amounts: [30 * 47, 31 * 47],
      },
    ]);
    expect(org.body.byProduct[0]).toMatchObject({
      ref: 'system:default/shop',
      amounts: [30 * 42, 31 * 42],
    });
    expect(org.body.unattributed).toEqual([30 * 5, 31 * 5]);

    const unattributed = await request(server)
      .get('/api/finops/organisation/unattributed')
      .query({ days: 30 })
      .set('authorization', PRIYA);
    expect(unattributed.body.items).toEqual([
      {
        service: 'Support',
        account: '3333',
        tagValue: '',
        reason: 'untagged',
        amount: 120,
      },
      {
        service: 'EC2',
        account: '3333',
        tagValue: 'billing',
        reason: 'not-an-entity-ref',
        amount: 30,
      },
    ]);

    const csv = await request(server)
      .get('/api/finops/organisation/export.csv')
      .query({ months: 2 })
      .set('authorization', PRIYA);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('view,ref,title,2026-09,2026-10');
    expect(csv.text).toContain('department,group:default/engineering');
  });

  it('refuses a bad billing export, keeps the last good data and shows the failure', async () => {
    const server = await start();
    await importExport(server, billingExport());
    const bad = billingExport().replace(',30,USD,', ',-30,USD,');
    const res = await importExport(server, bad);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /line 4: EffectiveCost is negative \(-30\) on a Usage charge/,
    );
    const wrongColumns = await importExport(server, 'a,b\n1,2\n');
    expect(wrongColumns.status).toBe(400);
    expect(wrongColumns.body.error.message).toMatch(/has no ChargePeriodStart/);

    const cost = await request(server)
      .get('/api/finops/groups/default/team-checkout/cost')
      .set('authorization', BEN);
    expect(cost.body.total).toBe(30 * 42);
    const status = await request(server)
      .get('/api/finops/status')
      .set('authorization', BEN);
    expect(status.body.sources).toEqual([
      expect.objectContaining({
        source: 'focus:aws-main',
        lastSuccess: expect.objectContaining({ status: 'succeeded' }),
        lastFailure: expect.objectContaining({
          error: expect.stringMatching(/has no ChargePeriodStart/),
        }),
      }),
    ]);
  });

  it('refuses a compressed export that is corrupt, too large once inflated, or in an encoding it cannot read', async () => {
    const server = await start({ limits: { maxUploadBytes: 200_000 } });
    const upload = (encoding: string, body: Buffer) =>
      request(server)
        .post('/api/finops/imports/focus')
        .query({ source: 'aws-main' })
        .set('authorization', PRIYA)
        .set('content-type', 'text/csv')
        .set('content-encoding', encoding)
        .send(body);
    const corrupt = await upload(
      'gzip',
      Buffer.concat([
        gzipSync(billingExport()).subarray(0, 30),
        Buffer.from('not gzip'),
      ]),
    );
    expect(corrupt.status).toBe(400);
    expect(corrupt.body.error.message).toMatch(
      /^The file is not valid gzip data/,
    );
    // 20 MB of one byte compresses to about 20 kB: under the limit as sent.
    const bomb = await upload(
      'gzip',
      gzipSync(Buffer.alloc(20_000_000, ','), { level: 9 }),
    );
    expect(bomb.status).toBe(413);
    expect(bomb.body.error.message).toBe(
      'The file is larger than 200000 bytes once decompressed (finops.limits.maxUploadBytes)',
    );
    const brotli = await upload('br', Buffer.from(billingExport()));
    expect(brotli.status).toBe(400);
    expect(brotli.body.error.message).toMatch(/Content-Encoding br/);
    // Nothing of it was stored.
    const cost = await request(server)
      .get('/api/finops/groups/default/team-checkout/cost')
      .set('authorization', BEN);
    expect(cost.body.total).toBe(0);
  }, 120_000);

  it('lets only finance import billing data', async () => {
    const server = await start();
    const res = await importExport(server, billingExport(), BEN);
    expect(res.status).toBe(403);
    const none = await request(server)
      .post('/api/finops/imports/focus')
      .query({ source: 'aws-main' })
      .set('authorization', mockCredentials.none.header())
      .send(billingExport());
    expect(none.status).toBe(401);
    const badSource = await request(server)
      .post('/api/finops/imports/focus')
      .query({ source: '../etc' })
      .set('authorization', PRIYA)
      .send(billingExport());
    expect(badSource.status).toBe(400);
  });

  it('a CI token reads, exports and imports no cost; a granted machine only what it is granted', async () => {
    const server = await start(
      {},
      {
        machineIdentity: {
          ci: [
            {
              subjectPrefix: 'external:github-actions:repo:',
              host: 'github.com',
            },
          ],
          grants: [{ subject: 'billing-sync', allow: ['finops.import'] }],
        },
      },
    );
    const ci = machine(
      'external:github-actions:repo:acme/payments-api:ref:refs/heads/main',
    );
    const billing = machine('billing-sync');
    const skeletonKey = mockCredentials.service.header();

    for (const who of [ci, skeletonKey]) {
      expect((await importExport(server, billingExport(), who)).status).toBe(
        403,
      );
      const exported = await request(server)
        .get('/api/finops/organisation/export.csv')
        .set('authorization', who);
      expect(exported.status).toBe(403);
      const cost = await request(server)
        .get('/api/finops/entities/component/default/payments-api/cost')
        .set('authorization', who);
      expect(cost.status).toBe(403);
    }
    const imported = await importExport(server, billingExport(), billing);
    expect(imported.status).toBe(201);
    expect(imported.body.requestedBy).toBe('service:billing-sync');
    const billingReads = await request(server)
      .get('/api/finops/organisation/cost')
      .set('authorization', billing);
    expect(billingReads.status).toBe(403);
    expect(billingReads.body.error.message).toMatch(
      /needs the finops.read grant/,
    );
  });

  it('splits shared costs by the allocation rules, apart from direct cost', async () => {
    const server = await start({
      allocation: [
        {
          name: 'Shared orders database',
          match: { entityRef: 'resource:default/orders-db' },
          method: 'even',
          to: ['group:default/team-checkout', 'team-catalog'],
        },
        {
          name: 'Support plan',
          match: { service: 'Support' },
          to: ['group:default/team-checkout', 'group:default/team-catalog'],
        },
      ],
    });
    await importExport(server, billingExport());
    const catalogTeam = await request(server)
      .get('/api/finops/groups/default/team-catalog/cost')
      .query({ days: 30 })
      .set('authorization', MAYA);
    // Direct: catalog-service only. Allocated: half the database, and the
    // support plan in proportion to direct spend (150 of 1,410).
    expect(catalogTeam.body.total).toBe(150);
    expect(catalogTeam.body.allocations).toEqual([
      {
        key: 'Shared orders database',
        title: 'Shared orders database',
        amount: 450,
        previous: 450,
      },
      {
        key: 'Support plan',
        title: 'Support plan',
        amount: 12.77,
        previous: 12.77,
      },
    ]);
    expect(catalogTeam.body.allocated).toBe(462.77);

    const org = await request(server)
      .get('/api/finops/organisation/allocations')
      .query({ days: 30 })
      .set('authorization', PRIYA);
    expect(org.body.items.map((r: any) => [r.name, r.amount])).toEqual([
      ['Shared orders database', 900],
      ['Support plan', 120],
    ]);
    expect(org.body.items[1].shares.map((s: any) => s.amount)).toEqual([
      107.23, 12.77,
    ]);
    const refused = await request(server)
      .get('/api/finops/organisation/allocations')
      .set('authorization', BEN);
    expect(refused.status).toBe(403);
  });

  it('refuses allocation rules that make no sense at start', async () => {
    await expect(
      start({
        allocation: [{ name: 'x', match: {}, to: ['group:default/a'] }],
      }),
    ).rejects.toThrow(/match needs exactly one of entityRef or service/);
  });

  it('keeps budgets set by finance, forecasts the month and raises alerts', async () => {
    const server = await start();
    const refused = await request(server)
      .put('/api/finops/budgets/default/team-checkout')
      .set('authorization', BEN)
      .send({ monthlyAmount: 100 });
    expect(refused.status).toBe(403);
    const invalid = await request(server)
      .put('/api/finops/budgets/default/team-checkout')
      .set('authorization', PRIYA)
      .send({ monthlyAmount: -5 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/monthlyAmount must be > 0/);
    const set = await request(server)
      .put('/api/finops/budgets/default/team-checkout')
      .set('authorization', PRIYA)
      .send({ monthlyAmount: 1000 });
    expect(set.status).toBe(200);

    await importExport(server, billingExport({ spike: true }));
    const res = await request(server)
      .get('/api/finops/groups/default/team-checkout/cost')
      .set('authorization', BEN);
    expect(res.body.budget).toMatchObject({
      month: '2026-10',
      budget: 1000,
      actual: 31 * 42 + 90,
      forecast: 31 * 42 + 90,
    });
    expect(res.body.alerts.map((a: any) => [a.kind, a.ref, a.day])).toEqual(
      expect.arrayContaining([
        ['anomaly', 'component:default/payments-api', '2026-10-31'],
        ['budget', 'group:default/team-checkout', '2026-10-01'],
      ]),
    );
    expect(res.body.topMovers[0].key).toBe('component:default/payments-api');
  });

  it("pulls each cost source on finops.sources.schedule (Backstage's task schedule shape), on one replica", async () => {
    const scheduled = async (finops: object) => {
      const tasks: Record<string, object> = {};
      await startTestBackend({
        features: [
          finopsPlugin,
          createBackendModule({
            pluginId: 'finops',
            moduleId: 'test-source',
            register(reg) {
              reg.registerInit({
                deps: { sources: finopsCostSourcesExtensionPoint },
                async init({ sources }) {
                  sources.addCostSource({
                    id: 'test-cloud',
                    description: 'A cloud of the test',
                    refresh: async () => {},
                  });
                },
              });
            },
          }),
          catalogServiceMock.factory({ entities }),
          policyPermissions,
          mockServices.scheduler.mock({
            scheduleTask: async ({ id, fn: _fn, ...schedule }) => {
              tasks[id] = schedule;
            },
          }).factory,
          mockServices.rootConfig.factory({
            data: { finops: { currency: 'USD', ...finops } },
          }),
        ],
      });
      return tasks['finops-source-test-cloud'];
    };
    expect(
      await scheduled({
        sources: { schedule: { frequency: { hours: 1 }, timeout: 'PT10M' } },
      }),
    ).toMatchObject({ frequency: { hours: 1 }, scope: 'global' });
    expect(await scheduled({})).toMatchObject({
      frequency: { hours: 6 },
      scope: 'global',
    });
  }, 120_000);
  it("audits the validator's refusals of an upload, an export and a budget change as the routes' own failures", async () => {
    const audit: AuditRecord[] = [];
    const server = await start({}, {}, audit);
    const refused = [
      await request(server)
        .post('/api/finops/imports/focus')
        .query({ source: '../etc' })
        .set('authorization', PRIYA)
        .set('content-type', 'text/csv')
        .send(billingExport()),
      await request(server)
        .get('/api/finops/organisation/export.csv')
        .query({ months: 99 })
        .set('authorization', PRIYA),
      await request(server)
        .put('/api/finops/budgets/default/team-checkout')
        .set('authorization', PRIYA)
        .send({ monthlyAmount: 100, currency: 'EUR' }),
      await request(server)
        .delete('/api/finops/budgets/default/team-checkout')
        .query({ force: 'yes' })
        .set('authorization', PRIYA),
    ];
    expect(refused.map(r => r.status)).toEqual([400, 400, 400, 400]);
    expect(audit).toEqual([
      expect.objectContaining({
        eventId: 'focus-import',
        status: 'failed',
        error: expect.stringMatching(/source must match pattern/),
      }),
      expect.objectContaining({
        eventId: 'cost-export',
        status: 'failed',
        error: expect.stringMatching(/months must be <= 36/),
      }),
      expect.objectContaining({
        eventId: 'budget-set',
        status: 'failed',
        error: expect.stringMatching(/must NOT have additional properties/),
      }),
      expect.objectContaining({
        eventId: 'budget-delete',
        status: 'failed',
        error: expect.stringMatching(/Unknown query parameter 'force'/),
      }),
    ]);
  }, 120_000);
});
