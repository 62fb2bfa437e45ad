/*
 * The SecOps backend's trust boundaries: CI tokens, granted machines and the
 * gated team (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  fixture,
  machineConfig,
  machineHeader,
  ciHeader,
  AuditRecord,
  start,
  trivyQuery,
} from './__testUtils__/backend';

describe('secops backend', () => {
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
    }, 120_000);

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
    }, 120_000);

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
    }, 120_000);

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
    }, 120_000);
  });
});
