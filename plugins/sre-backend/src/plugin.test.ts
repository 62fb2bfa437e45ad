/*
 * The SRE backend over HTTP, on one test backend with the shared catalog of
 * src/testing: the source status, an entity's and a group's SLOs, alerts
 * from Alertmanager, delivery, history and the admins' evaluation, with
 * the permission decisions and bad input of each.
 *
 * One file (above 500 lines): every test starts its backend with the start
 * helper and catalog defined at the top; splitting it by route group, as
 * SecOps' was, is the next step when it grows.
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { srePlugin } from './plugin';
import { entities } from './testing/catalog';

/** A machine's bearer token with the given verified subject. */
const machine = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'sre',
  });
const ALERTMANAGER = machine('alertmanager');

/**
 * A policy that lets each person see the reliability of what their teams
 * own (a conditional decision, as a policy stricter than the portal's may
 * give), and lets everyone run evaluations.
 */
const ownersOnly = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => {
    const claimsOf: Record<string, string[]> = {
      'user:default/checkout-dev': ['group:default/team-checkout'],
      'user:default/other-dev': ['group:default/team-other'],
    };
    return {
      async authorize(requests: unknown[]) {
        return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
      },
      async authorizeConditional(requests: unknown[], { credentials }: any) {
        const claims = claimsOf[credentials.principal.userEntityRef] ?? [];
        // The catalog's isEntityOwner rule, as the portal's policy writes it
        // for SecOps.
        return requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: { claims },
          },
        }));
      },
    } as any;
  },
});

async function start(
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY
    | 'owners-only' = AuthorizeResult.ALLOW,
) {
  const { server } = await startTestBackend({
    features: [
      srePlugin,
      catalogServiceMock.factory({ entities }),
      permission === 'owners-only'
        ? ownersOnly
        : mockServices.permissions.factory({ result: permission }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            ci: [
              {
                subjectPrefix: 'external:github-actions:repo:',
                host: 'github.com',
              },
            ],
            grants: [{ subject: 'alertmanager', allow: ['sre.alerts'] }],
          },
          sre: {
            observability: [
              {
                kind: 'dashboards',
                title: 'Grafana',
                url: 'https://grafana.acme.example/d/svc?var-service={{name}}&ns={{kubernetes-namespace}}',
              },
              {
                kind: 'logs',
                title: 'Loki',
                url: 'https://loki.acme.example/?q={service="{{kubernetes-id}}"}',
              },
              {
                kind: 'traces',
                title: 'Bad',
                url: 'ftp://files.acme.example/{{name}}',
              },
            ],
          },
        },
      }),
    ],
  });
  return server;
}

const firing = (fingerprint: string, labels: Record<string, string>) => ({
  status: 'firing',
  labels: { alertname: 'HighErrorRate', severity: 'page', ...labels },
  annotations: { summary: 'More than 5% of payments fail' },
  startsAt: '2026-11-26T09:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
  fingerprint,
});

describe('sre backend', () => {
  it('reads SLOs from the catalog and says clearly that nothing evaluates them yet', async () => {
    const server = await start();
    const status = await request(server).get('/api/sre/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ configured: false, sources: [] });

    const run = await request(server).post('/api/sre/evaluate');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({
      slos: 1,
      problems: 1,
      evaluated: 0,
      failed: 1,
    });

    const slos = await request(server).get(
      '/api/sre/entities/component/default/payments-api/slos',
    );
    expect(slos.status).toBe(200);
    expect(slos.body.items).toEqual([
      expect.objectContaining({
        name: 'availability',
        target: 0.995,
        status: 'unknown',
        lastError:
          'no SLI source answers metricSource type Prometheus: configure sre.prometheus',
      }),
    ]);

    const broken = await request(server).get(
      '/api/sre/entities/component/default/broken/slos',
    );
    expect(broken.body.problems).toEqual([
      {
        entityRef: 'component:default/broken',
        message: 'SLO x: apiVersion must be openslo/v1, not openslo/v9',
      },
    ]);

    const group = await request(server).get(
      '/api/sre/groups/default/team-checkout/slos',
    );
    expect(group.status).toBe(200);
    expect(group.body).toMatchObject({ totalCount: 1, entityCount: 2 });

    const history = await request(server).get(
      `/api/sre/slos/${slos.body.items[0].id}/history?days=7`,
    );
    expect(history.status).toBe(200);
    expect(history.body.points).toEqual([]);
  });

  it('links dashboards, logs and traces from annotations and URL templates, http(s) only', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/sre/entities/component/default/payments-api/observability',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      configured: true,
      links: [
        {
          kind: 'logs',
          title: 'Linked by the team',
          url: 'https://logs.acme.example/payments',
          source: 'annotation',
        },
        {
          kind: 'dashboards',
          title: 'Grafana',
          url: 'https://grafana.acme.example/d/svc?var-service=payments-api&ns=',
          source: 'config',
        },
      ],
    });
  });

  it('says when delivery measures are not configured, for entities and teams', async () => {
    const server = await start();
    const entity = await request(server).get(
      '/api/sre/entities/component/default/payments-api/delivery',
    );
    expect(entity.status).toBe(200);
    expect(entity.body).toEqual({ configured: false });
    const team = await request(server).get(
      '/api/sre/groups/default/team-checkout/delivery',
    );
    expect(team.body).toMatchObject({
      configured: false,
      entities: [],
      team: { entities: 0, deployments: 0 },
    });
    expect(
      (
        await request(server).get(
          '/api/sre/entities/component/default/ghost/delivery',
        )
      ).status,
    ).toBe(404);
  });

  it('takes Alertmanager webhooks from services only, idempotently, onto the labelled entity', async () => {
    const server = await start();
    const payload = {
      version: '4',
      status: 'firing',
      receiver: 'portal',
      alerts: [
        firing('a1', { service: 'payments-api' }),
        firing('a2', { backstage_entity: 'component:default/ghost' }),
        firing('a3', { job: 'node' }),
      ],
    };
    const asService = () =>
      request(server)
        .post('/api/sre/alertmanager')
        .set('Authorization', ALERTMANAGER);

    const first = await asService().send(payload);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      received: 3,
      created: 1,
      updated: 0,
      unmatched: 1,
      unknownEntities: ['component:default/ghost'],
    });
    const again = await asService().send(payload);
    expect(again.body).toMatchObject({ created: 0, updated: 1 });

    const resolved = await asService().send({
      ...payload,
      alerts: [
        {
          ...firing('a1', { service: 'payments-api' }),
          status: 'resolved',
          endsAt: '2026-11-26T09:30:00Z',
        },
      ],
    });
    expect(resolved.status).toBe(202);

    const alerts = await request(server).get(
      '/api/sre/entities/component/default/payments-api/alerts',
    );
    expect(alerts.body.totalCount).toBe(1);
    expect(alerts.body.items[0]).toMatchObject({
      alertName: 'HighErrorRate',
      status: 'resolved',
      severity: 'page',
      summary: 'More than 5% of payments fail',
      endsAt: '2026-11-26T09:30:00.000Z',
      generatorUrl: 'http://prometheus:9090/graph?g0.expr=x',
    });
    const timeline = await request(server).get(
      '/api/sre/groups/default/team-checkout/alerts',
    );
    expect(timeline.body.totalCount).toBe(1);

    // People cannot post alerts.
    const user = await request(server)
      .post('/api/sre/alertmanager')
      .set('Authorization', mockCredentials.user.header())
      .send(payload);
    expect(user.status).toBe(403);
  });

  it('refuses alerts and reads from a CI token or a token granted nothing', async () => {
    const server = await start();
    const payload = {
      alerts: [firing('a1', { service: 'payments-api' })],
    };
    const ci = machine(
      'external:github-actions:repo:acme/payments-api:ref:refs/heads/main',
    );
    for (const who of [ci, mockCredentials.service.header()]) {
      const posted = await request(server)
        .post('/api/sre/alertmanager')
        .set('Authorization', who)
        .send(payload);
      expect(posted.status).toBe(403);
      const read = await request(server)
        .get('/api/sre/entities/component/default/payments-api/slos')
        .set('Authorization', who);
      expect(read.status).toBe(403);
    }
    // Alertmanager posts alerts, and reads nothing.
    const read = await request(server)
      .get('/api/sre/groups/default/team-checkout/alerts')
      .set('Authorization', ALERTMANAGER);
    expect(read.status).toBe(403);
    expect(read.body.error.message).toMatch(/needs the sre.read grant/);
    const alerts = await request(server).get(
      '/api/sre/entities/component/default/payments-api/alerts',
    );
    expect(alerts.body.totalCount).toBe(0);
  });

  it.each([
    [{ alerts: 'nope' }, 400, /alerts must be array/],
    [
      {
        alerts: [
          {
            status: 'firing',
            labels: {},
            startsAt: 'yesterday',
            fingerprint: 'x',
          },
        ],
      },
      400,
      /startsAt/,
    ],
    [
      {
        alerts: Array.from({ length: 1001 }, (_, i) =>
          firing(`f${i}`, { service: 'payments-api' }),
        ),
      },
      400,
      /alerts must NOT have more than 1000 items/,
    ],
  ])('refuses a malformed webhook %#', async (body, status, message) => {
    const server = await start();
    const res = await request(server)
      .post('/api/sre/alertmanager')
      .set('Authorization', ALERTMANAGER)
      .send(body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(message);
  });

  it('refuses a webhook larger than 1 MiB with a 413, and broken JSON with a 400', async () => {
    const server = await start();
    const big = await request(server)
      .post('/api/sre/alertmanager')
      .set('Authorization', ALERTMANAGER)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ alerts: [], padding: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    const broken = await request(server)
      .post('/api/sre/alertmanager')
      .set('Authorization', ALERTMANAGER)
      .set('Content-Type', 'application/json')
      .send('{"alerts": [');
    expect(broken.status).toBe(400);
  });

  it('answers 400 for bad input and 404 for what is not there', async () => {
    const server = await start();
    expect(
      (await request(server).get('/api/sre/slos/nope/history')).status,
    ).toBe(400);
    expect(
      (await request(server).get(`/api/sre/slos/${'a'.repeat(64)}/history`))
        .status,
    ).toBe(404);
    expect(
      (
        await request(server).get(
          '/api/sre/entities/component/default/ghost/slos',
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await request(server).get(
          '/api/sre/entities/component/default/payments-api/slos?limit=0',
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await request(server).get(
          '/api/sre/entities/component/default/payments-api/slos?sort=x',
        )
      ).status,
    ).toBe(400);
  });

  it('refuses readers the policy denies, and evaluations by anyone but admins', async () => {
    const server = await start(AuthorizeResult.DENY);
    const slos = await request(server).get(
      '/api/sre/entities/component/default/payments-api/slos',
    );
    expect(slos.status).toBe(403);
    expect(slos.body.error.message).toBe('You may not see reliability data');
    const run = await request(server).post('/api/sre/evaluate');
    expect(run.status).toBe(403);
    expect(run.body.error.message).toMatch(/Only the portal admins/);
    // Unauthenticated callers are refused before any of that.
    const anonymous = await request(server)
      .get('/api/sre/status')
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
  });

  it("applies the policy's conditions entity by entity: an SLO's history, an entity's and a group's SLOs, the status's problems", async () => {
    const server = await start('owners-only');
    const as = (ref: string) => mockCredentials.user.header(ref);
    const OWNER = as('user:default/checkout-dev');
    const OTHER = as('user:default/other-dev');
    expect(
      (
        await request(server)
          .post('/api/sre/evaluate')
          .set('authorization', OWNER)
      ).status,
    ).toBe(200);

    const mine = await request(server)
      .get('/api/sre/entities/component/default/payments-api/slos')
      .set('authorization', OWNER);
    expect(mine.status).toBe(200);
    const id = mine.body.items[0].id;
    expect(
      (
        await request(server)
          .get(`/api/sre/slos/${id}/history`)
          .set('authorization', OWNER)
      ).status,
    ).toBe(200);
    const group = await request(server)
      .get('/api/sre/groups/default/team-checkout/slos')
      .set('authorization', OWNER);
    expect(group.body).toMatchObject({ totalCount: 1, entityCount: 2 });
    const status = await request(server)
      .get('/api/sre/status')
      .set('authorization', OWNER);
    expect(status.body.problems).toHaveLength(1);

    // Someone whose teams own none of it: refused one by one, and the
    // group's roll-up and the status leave it out.
    const history = await request(server)
      .get(`/api/sre/slos/${id}/history`)
      .set('authorization', OTHER);
    expect(history.status).toBe(403);
    expect(history.body.error.message).toBe(
      'You may not see the reliability of component:default/payments-api',
    );
    for (const path of ['slos', 'delivery', 'alerts', 'observability']) {
      expect(
        (
          await request(server)
            .get(`/api/sre/entities/component/default/payments-api/${path}`)
            .set('authorization', OTHER)
        ).status,
      ).toBe(403);
    }
    const theirGroup = await request(server)
      .get('/api/sre/groups/default/team-checkout/slos')
      .set('authorization', OTHER);
    expect(theirGroup.status).toBe(200);
    expect(theirGroup.body).toMatchObject({ totalCount: 0, entityCount: 0 });
    const theirStatus = await request(server)
      .get('/api/sre/status')
      .set('authorization', OTHER);
    expect(theirStatus.body.problems).toEqual([]);

    // Many entities at once (a scorecard's batch): the owner sees both of
    // their team's (one without SLOs), a ghost is counted, not named; the
    // other person sees none of them.
    const refs = [
      'component:default/payments-api',
      'Component:default/broken',
      'component:default/ghost',
    ];
    const briefs = await request(server)
      .post('/api/sre/slos/by-entity')
      .set('authorization', OWNER)
      .send({ entityRefs: refs });
    expect(briefs.status).toBe(200);
    expect(briefs.body).toEqual({
      items: [
        {
          entityRef: 'component:default/payments-api',
          slos: [
            {
              // No SLI source answers here: never evaluated.
              id,
              name: 'availability',
              status: 'unknown',
              errorBudgetRemaining: null,
            },
          ],
        },
        { entityRef: 'component:default/broken', slos: [] },
      ],
      hidden: 1,
    });
    const theirBriefs = await request(server)
      .post('/api/sre/slos/by-entity')
      .set('authorization', OTHER)
      .send({ entityRefs: refs });
    expect(theirBriefs.body).toEqual({ items: [], hidden: 3 });

    // The home page's summary, in one call: the person's teams' SLOs.
    const summary = await request(server)
      .get('/api/sre/me/summary')
      .set('authorization', OWNER);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      teams: ['group:default/team-checkout'],
      totalCount: 1,
      worst: [expect.objectContaining({ name: 'availability' })],
    });
    const none = await request(server)
      .get('/api/sre/me/summary')
      .set('authorization', OTHER);
    expect(none.body).toEqual({ teams: [], totalCount: 0, worst: [] });
  }, 120_000);

  it("schedules evaluation and delivery with Backstage's task schedule shape, and still reads the older keys", async () => {
    const scheduled = async (sre: object) => {
      const tasks: Record<string, object> = {};
      await startTestBackend({
        features: [
          srePlugin,
          catalogServiceMock.factory({ entities }),
          mockServices.scheduler.mock({
            scheduleTask: async ({ id, fn: _fn, ...schedule }) => {
              tasks[id] = schedule;
            },
          }).factory,
          mockServices.rootConfig.factory({ data: { sre } }),
        ],
      });
      return tasks;
    };
    const configured = await scheduled({
      evaluation: {
        schedule: { frequency: { minutes: 5 }, timeout: { minutes: 2 } },
      },
      delivery: {
        schedule: { frequency: { cron: '0 6 * * *' }, timeout: 'PT1H' },
      },
    });
    expect(configured['sre-slo-evaluation']).toEqual({
      frequency: { minutes: 5 },
      timeout: { minutes: 2 },
    });
    expect(configured['sre-delivery-metrics']).toMatchObject({
      frequency: { cron: '0 6 * * *' },
    });
    const older = await scheduled({
      evaluation: { frequencySeconds: 30 },
      delivery: { frequencyHours: 12 },
    });
    expect(older['sre-slo-evaluation']).toMatchObject({
      frequency: { seconds: 30 },
    });
    expect(older['sre-delivery-metrics']).toMatchObject({
      frequency: { hours: 12 },
    });
  }, 120_000);
});
