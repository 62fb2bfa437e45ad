/*
 * The SecOps backend's gates and exemptions, and the home page's summary (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  fixture,
  payments,
  cart,
  machineHeader,
  securityLead,
  start,
  upload,
  trivyQuery,
} from './__testUtils__/backend';

describe('secops backend', () => {
  afterEach(() => {
    jest.useRealTimers();
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
    }, 120_000);

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
              // No KEV imported here: none known exploited.
              knownExploited: 0,
              scanned: 1,
              // Nothing here is internet-facing.
              dastMissing: 0,
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
    }, 120_000);

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
    }, 120_000);

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
    ])(
      'refuses a bad exemption request %#',
      async (body, message) => {
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
      },
      120_000,
    );

    it('404s an exemption for a finding that does not exist', async () => {
      const server = await start();
      const res = await request(server)
        .post('/api/secops/findings/999999/exemptions')
        .send({
          justification: 'A reasonable justification.',
          expiresAt: '2099-01-01T00:00:00Z',
        });
      expect(res.status).toBe(404);
    }, 120_000);
  });
});
