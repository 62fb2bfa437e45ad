import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import request from 'supertest';
import { secopsPlugin } from './plugin';

const fixtures = path.resolve(__dirname, '../../../fixtures');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name));

const component = (name: string, owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-origin-location': `url:https://github.com/acme/${name}/blob/main/catalog-info.yaml`,
    },
  },
  spec: { owner, type: 'service' },
});
const payments = component('payments-api', 'group:default/team-checkout');
const cart = component('cart-service', 'group:default/team-catalog');

/** GitHub Actions OIDC tokens bound to their repository; two granted machines. */
const machineConfig = {
  machineIdentity: {
    ci: [
      { subjectPrefix: 'external:github-actions:repo:', host: 'github.com' },
    ],
    grants: [
      { subject: 'siem', allow: ['secops.export'] },
      { subject: 'security-scanner', allow: ['secops.upload', 'secops.read'] },
    ],
  },
};
/** A machine's bearer token with the given verified subject. */
const machineHeader = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'secops',
  });
/** The token of a CI run of a GitHub repository, as jwks access makes it. */
const ciHeader = (repository: string) =>
  machineHeader(
    `external:github-actions:repo:${repository}:ref:refs/heads/main`,
  );
const securityLead = mockCredentials.user.header('user:default/security-lead');

/** What the auditor was told: each event's id, final status and error. */
type AuditRecord = { eventId: string; status: string; error?: string };

async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    /** A policy by permission name, instead of one answer for all. */
    policy?: (
      permission: string,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    config?: object;
    audit?: AuditRecord[];
    /** The catalog, instead of payments-api and cart-service. */
    entities?: object[];
  } = {},
) {
  const policy = options.policy;
  const { server } = await startTestBackend({
    features: [
      secopsPlugin,
      catalogServiceMock.factory({
        entities: (options.entities ?? [payments, cart]) as any,
      }),
      policy
        ? mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(r => ({ result: policy(r.permission.name) })),
            authorizeConditional: async requests =>
              requests.map(r => ({ result: policy(r.permission.name) })),
          }).factory
        : mockServices.permissions.factory({
            result: options.permission ?? AuthorizeResult.ALLOW,
          }),
      mockServices.rootConfig.factory({ data: options.config ?? {} }),
      ...(options.audit ? [auditorInto(options.audit).factory] : []),
    ],
  });
  return server;
}

function auditorInto(records: AuditRecord[]) {
  return mockServices.auditor.mock({
    createEvent: async ({ eventId, request: req }) => {
      const record: AuditRecord = { eventId, status: 'initiated' };
      records.push(record);
      // As the real auditor does: the caller's address, read each time.
      const address = () => req?.ip;
      address();
      return {
        success: async () => {
          address();
          record.status = 'succeeded';
        },
        fail: async ({ error }) => {
          address();
          record.status = 'failed';
          record.error = error.message;
        },
      };
    },
  });
}

const upload = (
  server: Awaited<ReturnType<typeof start>>,
  query: Record<string, string>,
  body: Buffer | string,
) =>
  request(server)
    .post('/api/secops/reports')
    .query(query)
    .set('content-type', 'application/octet-stream')
    .send(body);

const trivyQuery = {
  entityRef: 'component:default/payments-api',
  tool: 'trivy',
  format: 'trivy',
  commit: 'a1b2c3d4e5f6',
  branch: 'main',
};

describe('secops backend', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('stores a report once: uploading it again creates nothing new', async () => {
    const server = await start();
    const report = fixture('trivy/trivy-alpine-310-image.json');

    const first = await upload(server, trivyQuery, report);
    expect(first.status).toBe(201);
    expect(first.body.created).toBeGreaterThan(0);
    expect(first.body.created).toBe(first.body.received);

    const again = await upload(server, trivyQuery, report);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({
      created: 0,
      reopened: 0,
      fixed: 0,
      unchanged: first.body.received,
    });

    const summary = await request(server).get(
      '/api/secops/entities/component/default/payments-api/summary',
    );
    expect(summary.status).toBe(200);
    const open = Object.values(summary.body.open as Record<string, number>);
    expect(open.reduce((a, b) => a + b, 0)).toBe(first.body.received);
    expect(summary.body.byCategory).toEqual({ sca: first.body.received });
  });

  it('draws the trend of open findings by day', async () => {
    const server = await start();
    const first = await upload(
      server,
      trivyQuery,
      fixture('trivy/trivy-alpine-310-image.json'),
    );
    const res = await request(server)
      .get('/api/secops/entities/component/default/payments-api/trend')
      .query({ days: 7 });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(7);
    const today = res.body.items[6];
    const total = Object.values(today.open as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(total).toBe(first.body.created);
    expect(res.body.items[0].open.medium).toBe(0);
    const bad = await request(server)
      .get('/api/secops/entities/component/default/payments-api/trend')
      .query({ days: 100000 });
    expect(bad.status).toBe(400);
  });

  it('shows every team side by side with what it and the teams below it own', async () => {
    const team = (name: string, parent?: string, children: string[] = []) => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'team',
        children,
        profile: { displayName: `Team ${name}` },
      },
      relations: [
        ...children.map(c => ({
          type: 'parentOf',
          targetRef: `group:default/${c}`,
        })),
        ...(parent
          ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
          : []),
      ],
    });
    const owned = (entity: typeof payments, owner: string) => ({
      ...entity,
      spec: { ...entity.spec, owner: `group:default/${owner}` },
      relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
    });
    const server = await start({
      entities: [
        team('team-checkout', undefined, ['team-payments']),
        team('team-payments', 'team-checkout'),
        team('team-catalog'),
        team('team-empty'),
        owned(payments, 'team-payments'),
        owned(component('checkout-web', ''), 'team-checkout'),
        owned(cart, 'team-catalog'),
      ],
    });
    const report = fixture('trivy/trivy-alpine-310-image.json');
    const uploaded = await upload(server, trivyQuery, report);
    expect(uploaded.status).toBe(201);

    // The view is reused for 30 s: the clock stands still from here, so
    // that however slow the machine, the next read falls inside that time.
    const realNow = Date.now.bind(Date);
    const startedAt = realNow();
    let clockOffset = 0;
    const clock = jest
      .spyOn(Date, 'now')
      .mockImplementation(() => startedAt + clockOffset);
    const res = await request(server)
      .get('/api/secops/organisation/teams')
      .set('authorization', securityLead);
    expect(res.status).toBe(200);
    const byTeam = Object.fromEntries(
      (
        res.body.items as Array<{
          groupRef: string;
          title: string;
          entities: number;
          scanned: number;
          open: Record<string, number>;
        }>
      ).map(row => [
        row.groupRef,
        {
          title: row.title,
          entities: row.entities,
          scanned: row.scanned,
          open: Object.values(row.open).reduce((a, b) => a + b, 0),
        },
      ]),
    );
    const found = uploaded.body.created;
    expect(byTeam).toEqual({
      // payments-api is team-payments', which is below team-checkout.
      'group:default/team-checkout': {
        title: 'Team team-checkout',
        entities: 2,
        scanned: 1,
        open: found,
      },
      'group:default/team-payments': {
        title: 'Team team-payments',
        entities: 1,
        scanned: 1,
        open: found,
      },
      'group:default/team-catalog': {
        title: 'Team team-catalog',
        entities: 1,
        scanned: 0,
        open: 0,
      },
      'group:default/team-empty': {
        title: 'Team team-empty',
        entities: 0,
        scanned: 0,
        open: 0,
      },
    });

    // Computed once for 30 s, however many readers: a new upload shows in
    // it after that.
    const cartUpload = await upload(
      server,
      { ...trivyQuery, entityRef: 'component:default/cart-service' },
      report,
    );
    expect(cartUpload.status).toBe(201);
    const again = await request(server)
      .get('/api/secops/organisation/teams')
      .set('authorization', securityLead);
    expect(again.body).toEqual(res.body);
    clockOffset = 31_000;
    try {
      const later = await request(server)
        .get('/api/secops/organisation/teams')
        .set('authorization', securityLead);
      const catalogTeam = later.body.items.find(
        (row: { groupRef: string }) =>
          row.groupRef === 'group:default/team-catalog',
      );
      expect(catalogTeam.scanned).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });

  it("asks the permission policy once for a large group's entities, and applies its conditions to each", async () => {
    // Every other entity is labelled for this person's eyes; the policy
    // allows those (a conditional decision on the catalog's hasLabel rule).
    const owned = Array.from({ length: 120 }, (_, i) => ({
      ...component(`svc-${i}`, 'group:default/department'),
      metadata: {
        name: `svc-${i}`,
        namespace: 'default',
        ...(i % 2 ? {} : { labels: { audience: 'checkout' } }),
      },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/department' }],
    }));
    const authorize = jest.fn(async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    );
    const authorizeConditional = jest.fn(async (requests: unknown[]) =>
      requests.map(() => ({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          rule: 'HAS_LABEL',
          resourceType: 'catalog-entity',
          params: { label: 'audience', value: 'checkout' },
        },
      })),
    );
    const { server } = await startTestBackend({
      features: [
        secopsPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'department', namespace: 'default' },
              spec: { type: 'department', children: [] },
            },
            ...owned,
          ],
        }),
        mockServices.permissions.mock({
          authorize,
          authorizeConditional,
        } as any).factory,
      ],
    });
    const res = await request(server)
      .get('/api/secops/groups/default/department/posture')
      .query({ limit: 200 });
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(60);
    expect(res.body.hidden).toBe(60);
    expect(
      res.body.items.every((i: { entityRef: string }) =>
        /svc-\d*[02468]$/.test(i.entityRef),
      ),
    ).toBe(true);
    // One question to the policy, not one per entity (nor per batch).
    expect(authorizeConditional).toHaveBeenCalledTimes(1);
    expect(authorize).not.toHaveBeenCalled();
  }, 120_000);

  it("accepts uploads from the entity's own CI", async () => {
    const server = await start({ config: machineConfig });
    const res = await request(server)
      .post('/api/secops/reports')
      .query({ ...trivyQuery, format: 'sarif', tool: 'trivy' })
      .set('authorization', ciHeader('acme/payments-api'))
      .send(fixture('sarif/trivy-alpine-310.sarif'));
    expect(res.status).toBe(201);
  });

  it('takes gzip-compressed reports', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/secops/reports')
      .query(trivyQuery)
      .set('content-encoding', 'gzip')
      .set('content-type', 'application/octet-stream')
      .send(gzipSync(fixture('trivy/trivy-alpine-310-image.json')));
    expect(res.status).toBe(201);
    expect(res.body.created).toBeGreaterThan(0);
  });

  it('recognises the format when the upload does not name it', async () => {
    const server = await start();
    const res = await upload(
      server,
      { entityRef: trivyQuery.entityRef, tool: 'grype' },
      fixture('grype/grype-presenter-image-golden.json'),
    );
    expect(res.status).toBe(201);
    expect(res.body.format).toBe('grype');
  });

  it('lists findings worst first, page by page, with due dates', async () => {
    const server = await start();
    await upload(
      server,
      trivyQuery,
      fixture('trivy/trivy-alpine-310-image.json'),
    );
    const base = '/api/secops/entities/component/default/payments-api/findings';

    const first = await request(server).get(base).query({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeDefined();
    expect(first.body.items[0]).toMatchObject({
      status: 'open',
      overdue: false,
      entityRef: 'component:default/payments-api',
    });
    expect(first.body.items[0].dueAt).toBeDefined();

    const second = await request(server)
      .get(base)
      .query({ limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

    const bad = await request(server).get(base).query({ severity: 'urgent' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/severity/);
  });

  it('refuses what the permission policy refuses, and writes nothing', async () => {
    const server = await start({ permission: AuthorizeResult.DENY });
    const res = await upload(
      server,
      trivyQuery,
      fixture('trivy/trivy-alpine-310-image.json'),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /may not upload reports for component:default\/payments-api/,
    );
    const read = await request(server).get(
      '/api/secops/entities/component/default/payments-api/findings',
    );
    expect(read.status).toBe(403);
  });

  it('refuses requests without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/secops/reports')
      .query(trivyQuery)
      .set('authorization', mockCredentials.none.header())
      .send(fixture('trivy/trivy-alpine-310-image.json'));
    expect(res.status).toBe(401);
  });

  describe('gates and exemptions', () => {
    const gate = (server: Awaited<ReturnType<typeof start>>) =>
      request(server).post('/api/secops/gate').send({
        entityRef: 'component:default/payments-api',
        commit: 'abcdef1',
        branch: 'main',
      });

    it('passes while nothing critical is open, fails with the reasons when it is', async () => {
      const server = await start();
      await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      const green = await gate(server);
      expect(green.status).toBe(200);
      expect(green.body).toMatchObject({ gate: 'default', passed: true });
      expect(green.body.decisionId).toBeDefined();

      await upload(
        server,
        { entityRef: trivyQuery.entityRef, tool: 'grype' },
        fixture('grype/grype-presenter-image-golden.json'),
      );
      const red = await gate(server);
      expect(red.body.passed).toBe(false);
      const failed = red.body.reasons.filter((r: any) => !r.passed);
      expect(failed).toHaveLength(1);
      expect(failed[0].message).toMatch(
        /no open critical or worse findings \(found 1\)/,
      );
      expect(failed[0].examples[0].severity).toBe('critical');

      const status = await request(server).get(
        '/api/secops/entities/component/default/payments-api/gate',
      );
      expect(status.body.last.decisionId).toBe(red.body.decisionId);
      expect(status.body.current.passed).toBe(false);
    });

    it("gives the home page the person's teams and their failing gates in one call", async () => {
      const owned = (entity: object, team: string) => ({
        ...entity,
        relations: [{ type: 'ownedBy', targetRef: `group:default/${team}` }],
      });
      const server = await start({
        entities: [
          owned(payments, 'team-checkout'),
          owned(cart, 'team-catalog'),
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: 'team-checkout', namespace: 'default' },
            spec: { type: 'team', profile: { displayName: 'Checkout' } },
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'User',
            metadata: { name: 'payments-dev', namespace: 'default' },
            spec: { memberOf: ['team-checkout'] },
            relations: [
              { type: 'memberOf', targetRef: 'group:default/team-checkout' },
            ],
          },
        ],
      });
      await upload(
        server,
        { entityRef: trivyQuery.entityRef, tool: 'grype' },
        fixture('grype/grype-presenter-image-golden.json'),
      );
      const summary = await request(server)
        .get('/api/secops/me/summary')
        .set(
          'authorization',
          mockCredentials.user.header('user:default/payments-dev'),
        );
      expect(summary.status).toBe(200);
      expect(summary.body).toEqual({
        teams: [
          {
            groupRef: 'group:default/team-checkout',
            title: 'Checkout',
            totals: {
              open: expect.objectContaining({ critical: 1 }),
              overdue: expect.any(Number),
              scanned: 1,
            },
            hidden: 0,
          },
        ],
        failingGates: ['component:default/payments-api'],
      });
      // A machine has no teams.
      const machine = await request(server)
        .get('/api/secops/me/summary')
        .set('authorization', machineHeader('security-scanner'));
      expect(machine.status).toBe(403);
    }, 120_000);

    it('applies the first configured gate that matches the entity', async () => {
      const server = await start({
        config: {
          secops: {
            gates: [
              {
                name: 'experimental',
                match: { lifecycle: ['experimental'] },
                rules: [{ severity: 'critical', maxOpen: 5 }],
              },
              {
                name: 'services',
                match: { kind: ['component'], type: ['service'] },
                rules: [{ severity: 'medium', maxOpen: 2 }],
              },
            ],
          },
        },
      });
      await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      const res = await gate(server);
      expect(res.body).toMatchObject({ gate: 'services', passed: false });
      expect(res.body.reasons[0].count).toBe(4);
    });

    it('an approved exemption takes a finding out of the gate until it expires', async () => {
      const server = await start();
      await upload(
        server,
        { entityRef: trivyQuery.entityRef, tool: 'grype' },
        fixture('grype/grype-presenter-image-golden.json'),
      );
      const list = await request(server)
        .get('/api/secops/entities/component/default/payments-api/findings')
        .query({ severity: 'critical' });
      const findingId = list.body.items[0].id;

      const ask = (body: object) =>
        request(server)
          .post(`/api/secops/findings/${findingId}/exemptions`)
          .send(body);
      // A day from now; the clock (Date only: timers and I/O stay real) is
      // then moved past it, so nothing depends on how fast this machine is.
      const soon = new Date(Date.now() + 86_400_000).toISOString();
      const requested = await ask({
        justification: 'Not reachable: the image is only used in CI.',
        expiresAt: soon,
      });
      expect(requested.status).toBe(201);
      expect(requested.body).toMatchObject({
        status: 'pending',
        active: false,
      });
      expect((await gate(server)).body.passed).toBe(false);

      const again = await ask({
        justification: 'A second request for the same finding.',
        expiresAt: soon,
      });
      expect(again.status).toBe(409);

      const decide = (decision: string) =>
        request(server)
          .post(`/api/secops/exemptions/${requested.body.id}/decision`)
          .set('authorization', securityLead)
          .send({ decision, comment: 'Accepted until the base image moves.' });
      // Separation of duties: the one who asked cannot decide.
      const own = await request(server)
        .post(`/api/secops/exemptions/${requested.body.id}/decision`)
        .send({ decision: 'approve' });
      expect(own.status).toBe(403);
      expect(own.body.error.message).toMatch(/You asked for this exemption/);
      const approved = await decide('approve');
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', active: true });
      expect((await decide('reject')).status).toBe(409);

      expect((await gate(server)).body.passed).toBe(true);
      const exempted = await request(server)
        .get('/api/secops/entities/component/default/payments-api/findings')
        .query({ severity: 'critical' });
      expect(exempted.body.items[0].exemptedUntil).toBe(soon);

      jest.useFakeTimers({
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
        now: Date.now() + 2 * 86_400_000,
      });
      expect((await gate(server)).body.passed).toBe(false);

      const history = await request(server).get(
        '/api/secops/entities/component/default/payments-api/exemptions',
      );
      expect(history.body.items).toHaveLength(1);
      expect(history.body.items[0]).toMatchObject({
        status: 'approved',
        active: false,
      });
    });

    it.each([
      [
        { justification: 'too short', expiresAt: '2099-01-01T00:00:00Z' },
        /justification must NOT have fewer than 10 characters/,
      ],
      [
        { justification: 'A reasonable justification.', expiresAt: 'tomorrow' },
        /expiresAt must match format "date-time"/,
      ],
      [
        {
          justification: 'A reasonable justification.',
          expiresAt: '2001-01-01T00:00:00Z',
        },
        /in the future/,
      ],
      [
        {
          justification: 'A reasonable justification.',
          expiresAt: '2099-01-01T00:00:00Z',
        },
        /at most 365 days/,
      ],
      [
        {
          justification: 'A reasonable justification.',
          expiresAt: '2099-01-01T00:00:00Z',
          approve: true,
        },
        /body must NOT have additional properties/,
      ],
    ])('refuses a bad exemption request %#', async (body, message) => {
      const server = await start();
      await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      const list = await request(server).get(
        '/api/secops/entities/component/default/payments-api/findings',
      );
      const res = await request(server)
        .post(`/api/secops/findings/${list.body.items[0].id}/exemptions`)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    });

    it('404s an exemption for a finding that does not exist', async () => {
      const server = await start();
      const res = await request(server)
        .post('/api/secops/findings/999999/exemptions')
        .send({
          justification: 'A reasonable justification.',
          expiresAt: '2099-01-01T00:00:00Z',
        });
      expect(res.status).toBe(404);
    });
  });

  describe('SIEM export', () => {
    const exportEvents = (
      server: Awaited<ReturnType<typeof start>>,
      cursor?: string,
    ) =>
      request(server)
        .get('/api/secops/export/events')
        .query(cursor ? { cursor } : {})
        .set('authorization', machineHeader('siem'))
        .buffer(true)
        .parse((res, callback) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => callback(null, text));
        });
    const lines = (body: string) =>
      body
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line));

    it('streams findings, gate decisions and exemptions as OCSF, once each, by cursor', async () => {
      const server = await start({ config: machineConfig });
      const report = fixture('trivy/trivy-alpine-310-image.json');
      const first = await upload(server, trivyQuery, report);
      await upload(server, trivyQuery, report);
      await request(server)
        .post('/api/secops/gate')
        .send({ entityRef: trivyQuery.entityRef });

      const page = await exportEvents(server);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/application\/x-ndjson/);
      const events = lines(page.body);
      // Re-uploading the same report adds no finding events.
      expect(events).toHaveLength(first.body.created + 1);
      expect(events[0]).toMatchObject({
        class_uid: 2002,
        class_name: 'Vulnerability Finding',
        activity_name: 'Create',
        type_uid: 200201,
        resources: [{ uid: 'component:default/payments-api' }],
        metadata: { version: '1.1.0' },
      });
      expect(events[0].vulnerabilities[0].cve.uid).toMatch(/^CVE-/);
      expect(events[events.length - 1]).toMatchObject({
        class_uid: 6002,
        activity_name: 'gate.passed',
      });

      const cursor = page.headers['x-next-cursor'];
      const empty = await exportEvents(server, cursor);
      expect(lines(empty.body)).toEqual([]);
      expect(empty.headers['x-next-cursor']).toBe(cursor);

      // A scan without the findings closes them.
      await upload(server, trivyQuery, '{"SchemaVersion": 2, "Results": []}');
      const fixed = lines((await exportEvents(server, cursor)).body);
      expect(fixed).toHaveLength(first.body.created);
      expect(fixed.every(e => e.activity_name === 'Close')).toBe(true);
    });

    it('refuses a malformed cursor', async () => {
      const server = await start();
      const res = await request(server)
        .get('/api/secops/export/events')
        .query({ cursor: '1; drop table secops_events' });
      expect(res.status).toBe(400);
    });
  });

  describe('trust boundaries', () => {
    const gateFor = (
      server: Awaited<ReturnType<typeof start>>,
      authorization: string,
      entityRef = trivyQuery.entityRef,
    ) =>
      request(server)
        .post('/api/secops/gate')
        .set('authorization', authorization)
        .send({ entityRef });

    it("a CI token of one repository cannot upload for, gate or read another repository's entity", async () => {
      const audit: AuditRecord[] = [];
      const server = await start({ config: machineConfig, audit });
      const report = fixture('trivy/trivy-alpine-310-image.json');
      const asPayments = ciHeader('acme/payments-api');

      const own = await request(server)
        .post('/api/secops/reports')
        .query(trivyQuery)
        .set('authorization', asPayments)
        .send(report);
      expect(own.status).toBe(201);

      const other = await request(server)
        .post('/api/secops/reports')
        .query({ ...trivyQuery, entityRef: 'component:default/cart-service' })
        .set('authorization', asPayments)
        .send(report);
      expect(other.status).toBe(403);
      expect(other.body.error.message).toBe(
        'The CI of github.com/acme/payments-api may not upload reports for or ask the gate about component:default/cart-service: it was registered from github.com/acme/cart-service',
      );
      expect(
        (await gateFor(server, asPayments, 'component:default/cart-service'))
          .status,
      ).toBe(403);
      expect((await gateFor(server, asPayments)).status).toBe(200);
      const read = await request(server)
        .get('/api/secops/entities/component/default/cart-service/findings')
        .set('authorization', asPayments);
      expect(read.status).toBe(403);
      const readOwn = await request(server)
        .get('/api/secops/entities/component/default/payments-api/summary')
        .set('authorization', asPayments);
      expect(readOwn.status).toBe(200);

      // Nothing was written for the other entity, and each refusal is audited.
      const cartSummary = await request(server).get(
        '/api/secops/entities/component/default/cart-service/summary',
      );
      expect(cartSummary.body.lastScanAt).toBeUndefined();
      expect(audit).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            eventId: 'report-upload',
            status: 'failed',
            error: expect.stringMatching(/may not upload reports/),
          }),
          expect.objectContaining({
            eventId: 'gate-decision',
            status: 'failed',
          }),
        ]),
      );
    });

    it('organisation-wide reads and exports need a granted machine, not a CI token', async () => {
      const audit: AuditRecord[] = [];
      const server = await start({ config: machineConfig, audit });
      const asPayments = ciHeader('acme/payments-api');
      const exported = await request(server)
        .get('/api/secops/export/events')
        .set('authorization', asPayments);
      expect(exported.status).toBe(403);
      expect(exported.body.error.message).toMatch(
        /needs the secops.export grant/,
      );
      expect(audit.find(a => a.eventId === 'siem-export')?.status).toBe(
        'failed',
      );
      const posture = await request(server)
        .get('/api/secops/groups/default/team-checkout/posture')
        .set('authorization', asPayments);
      expect(posture.status).toBe(403);

      const siem = await request(server)
        .get('/api/secops/export/events')
        .set('authorization', machineHeader('siem'));
      expect(siem.status).toBe(200);
      // The SIEM may export, and nothing else.
      const siemUpload = await request(server)
        .post('/api/secops/reports')
        .query(trivyQuery)
        .set('authorization', machineHeader('siem'))
        .send(fixture('trivy/trivy-alpine-310-image.json'));
      expect(siemUpload.status).toBe(403);
      const scanner = await request(server)
        .post('/api/secops/reports')
        .query({ ...trivyQuery, entityRef: 'component:default/cart-service' })
        .set('authorization', machineHeader('security-scanner'))
        .send(fixture('trivy/trivy-alpine-310-image.json'));
      expect(scanner.status).toBe(201);
    });

    it('a service token that is neither bound nor granted opens nothing', async () => {
      const server = await start({ config: machineConfig });
      const skeletonKey = mockCredentials.service.header();
      const calls = [
        request(server)
          .post('/api/secops/reports')
          .query(trivyQuery)
          .set('authorization', skeletonKey)
          .send(fixture('trivy/trivy-alpine-310-image.json')),
        gateFor(server, skeletonKey),
        request(server)
          .get('/api/secops/entities/component/default/payments-api/findings')
          .set('authorization', skeletonKey),
        request(server)
          .get('/api/secops/export/events')
          .set('authorization', skeletonKey),
        request(server)
          .get('/api/secops/groups/default/team-checkout/trend')
          .set('authorization', skeletonKey),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(
          /neither a CI identity of a repository .* nor granted anything/,
        );
      }
    });

    it('the gated team cannot pass its own gate by uploading an empty report', async () => {
      const server = await start({
        config: machineConfig,
        // An owner: may upload and read, is not in the security team.
        policy: name =>
          name === 'secops.exemption.decide'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      });
      const grype = { entityRef: trivyQuery.entityRef, tool: 'grype' };
      const empty =
        '{"matches": [], "source": {"type": "image"}, "descriptor": {"name": "grype"}}';
      const ci = await request(server)
        .post('/api/secops/reports')
        .query(grype)
        .set('authorization', ciHeader('acme/payments-api'))
        .send(fixture('grype/grype-presenter-image-golden.json'));
      expect(ci.status).toBe(201);
      const owner = mockCredentials.user.header('user:default/payments-dev');
      expect((await gateFor(server, owner)).body.passed).toBe(false);

      const byHand = await request(server)
        .post('/api/secops/reports')
        .query({ ...grype, format: 'grype' })
        .set('authorization', owner)
        .send(empty);
      expect(byHand.status).toBe(201);
      expect(byHand.body).toMatchObject({ fixed: 0, closesMissing: false });
      expect((await gateFor(server, owner)).body.passed).toBe(false);

      // The entity's own CI scanning without the findings does close them.
      const rescan = await request(server)
        .post('/api/secops/reports')
        .query({ ...grype, format: 'grype' })
        .set('authorization', ciHeader('acme/payments-api'))
        .send(empty);
      expect(rescan.body).toMatchObject({ closesMissing: true });
      expect(rescan.body.fixed).toBeGreaterThan(0);
      expect((await gateFor(server, owner)).body.passed).toBe(true);
    });
  });

  describe('bad input gets a clear 4xx and changes nothing', () => {
    const cases: Array<
      [string, Record<string, string>, Buffer | string, number, RegExp]
    > = [
      [
        'an entity the catalog does not have',
        { ...trivyQuery, entityRef: 'component:default/nope' },
        '{}',
        404,
        /no component:default\/nope in the catalog/,
      ],
      [
        'a malformed entity ref',
        { ...trivyQuery, entityRef: 'component:default/' },
        '{}',
        400,
        /Invalid entity ref/,
      ],
      [
        'a missing tool',
        { entityRef: trivyQuery.entityRef },
        '{}',
        400,
        /tool/,
      ],
      [
        'a hostile tool name',
        { ...trivyQuery, tool: '../../etc' },
        '{}',
        400,
        /query\/tool must match pattern/,
      ],
      [
        'an unknown parameter',
        { ...trivyQuery, drop: 'table' },
        '{}',
        400,
        /Unknown query parameter 'drop'/,
      ],
      [
        'an unknown format',
        { ...trivyQuery, format: 'pdf' },
        '{}',
        400,
        /Unknown report format 'pdf'/,
      ],
      ['an empty body', trivyQuery, '', 400, /empty/],
      [
        'truncated JSON',
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json').subarray(0, 500),
        400,
        /not valid JSON/,
      ],
      [
        'neither JSON nor XML',
        trivyQuery,
        'hello',
        400,
        /neither JSON nor XML/,
      ],
      [
        'the wrong format for the content',
        { ...trivyQuery, format: 'sarif' },
        fixture('trivy/trivy-alpine-310-image.json'),
        400,
        /SARIF/i,
      ],
    ];

    it.each(cases)('%s', async (_what, query, body, status, message) => {
      const server = await start();
      const res = await upload(server, query, body);
      expect(res.status).toBe(status);
      expect(res.body.error.message).toMatch(message);
      const list = await request(server).get(
        '/api/secops/entities/component/default/payments-api/findings',
      );
      expect(list.body.totalCount).toBe(0);
    });

    it('a report over the size limit gets 413', async () => {
      const server = await start({
        config: { secops: { limits: { maxReportBytes: 1000 } } },
      });
      const res = await upload(server, trivyQuery, 'x'.repeat(2000));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/secops.limits.maxReportBytes/);
    });

    it('a gzip bomb gets 413 without being inflated whole', async () => {
      const server = await start({
        config: { secops: { limits: { maxReportBytes: 1024 * 1024 } } },
      });
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
      expect(bomb.length).toBeLessThan(200 * 1024);
      const res = await request(server)
        .post('/api/secops/reports')
        .query(trivyQuery)
        .set('content-type', 'application/octet-stream')
        .set('content-encoding', 'gzip')
        .send(bomb);
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/once decompressed/);
    });

    it('an oversized gzip upload streamed over a real socket gets 413, audited, and the server lives', async () => {
      const audit: AuditRecord[] = [];
      const server = await start({
        config: { secops: { limits: { maxReportBytes: 1024 * 1024 } } },
        audit,
      });
      const { port } = server.address() as AddressInfo;
      // Chunked (no content-length), as CI's curl sends a piped gzip: the
      // limit is found while the body is still arriving.
      const answer = await new Promise<{ status: number; body: string }>(
        (resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: `/api/secops/reports?entityRef=${encodeURIComponent(
                trivyQuery.entityRef,
              )}&tool=trivy`,
              headers: {
                'content-type': 'application/octet-stream',
                'content-encoding': 'gzip',
                'transfer-encoding': 'chunked',
              },
            },
            res => {
              let body = '';
              res.on('data', chunk => {
                body += chunk;
              });
              res.on('end', () => resolve({ status: res.statusCode!, body }));
            },
          );
          req.on('error', reject);
          const gzip = createGzip();
          gzip.pipe(req);
          let sent = 0;
          const more = () => {
            // 32 MiB of spaces, written as the socket takes them.
            while (sent < 32 * 1024 * 1024) {
              sent += 256 * 1024;
              if (!gzip.write(Buffer.alloc(256 * 1024, ' '))) {
                gzip.once('drain', more);
                return;
              }
            }
            gzip.end();
          };
          more();
        },
      );
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.message).toMatch(
        /once decompressed/,
      );
      expect(audit).toEqual([
        {
          eventId: 'report-upload',
          status: 'failed',
          error: expect.stringMatching(/once decompressed/),
        },
      ]);
      const alive = await request(server).get('/api/secops/formats');
      expect(alive.status).toBe(200);
    });

    it('more findings than the limit gets 400', async () => {
      const server = await start({
        config: { secops: { limits: { maxFindings: 3 } } },
      });
      const res = await upload(
        server,
        trivyQuery,
        fixture('trivy/trivy-alpine-310-image.json'),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/limit/);
    });

    it.each([
      ['read whole', undefined],
      ['read as streams', 0],
    ])(
      'mutated real reports never get a 500 (%s)',
      async (_how, maxInMemoryBytes) => {
        const server = await start({
          config: { secops: { limits: { maxInMemoryBytes } } },
        });
        const files = [
          'sarif/gitleaks-7.4.0-defectdojo.sarif',
          'cyclonedx/trivy-centos-7-vuln.cdx.json',
          'trivy/trivy-alpine-310-image.json',
          'grype/grype-presenter-image-golden.json',
          'npm-audit/npm-audit-v7-vercel-many-vulns.json',
          'zap/zap-traditional-json-petstore-api-scan.json',
        ];
        // A small deterministic generator, so a failure can be replayed.
        let seed = 42;
        const random = () => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed / 2147483648;
        };
        const statuses = new Set<number>();
        for (const file of files) {
          const original = fixture(file);
          for (let i = 0; i < 12; i++) {
            const bytes = Buffer.from(original);
            const mode = i % 3;
            let body: Buffer;
            if (mode === 0) {
              body = bytes.subarray(0, Math.floor(random() * bytes.length));
            } else if (mode === 1) {
              for (let k = 0; k < 8; k++) {
                bytes[Math.floor(random() * bytes.length)] = Math.floor(
                  random() * 256,
                );
              }
              body = bytes;
            } else {
              // Swap a value for another type while keeping the JSON valid.
              const text = original
                .toString()
                .replace(/"[^"]{1,40}"/, random() < 0.5 ? 'null' : '[1,{}]');
              body = Buffer.from(text);
            }
            const res = await upload(
              server,
              { entityRef: trivyQuery.entityRef, tool: `fuzz${i}` },
              body,
            );
            statuses.add(res.status);
            expect(res.status).toBeLessThan(500);
          }
        }
        expect([...statuses].some(s => s === 400)).toBe(true);
      },
    );

    it('a report larger than maxInMemoryBytes is read as a stream, compressed or not', async () => {
      const sarif = fixture('sarif/trivy-alpine-310.sarif');
      const sarifQuery = {
        entityRef: trivyQuery.entityRef,
        tool: 'trivy-sarif',
      };
      const whole = await upload(await start(), sarifQuery, sarif);
      expect(whole.status).toBe(201);
      expect(whole.body.created).toBeGreaterThan(5);

      const server = await start({
        config: { secops: { limits: { maxInMemoryBytes: 1000 } } },
      });
      const streamed = await request(server)
        .post('/api/secops/reports')
        .query(sarifQuery)
        .set('content-type', 'application/octet-stream')
        .set('content-encoding', 'gzip')
        .send(gzipSync(sarif));
      expect(streamed.status).toBe(201);
      expect({ ...streamed.body, scanId: 0 }).toEqual({
        ...whole.body,
        scanId: 0,
      });
      const again = await upload(server, sarifQuery, sarif);
      expect(again.body).toMatchObject({ created: 0 });

      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const refused = await upload(server, trivyQuery, deep);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/nested more than 512/);
    });

    it('deeply nested JSON gets a 4xx, not a crash', async () => {
      const server = await start();
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const res = await upload(server, trivyQuery, deep);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    });
  });
});
