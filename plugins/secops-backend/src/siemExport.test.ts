/*
 * The SecOps backend's SIEM export (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import request from 'supertest';
import {
  fixture,
  machineConfig,
  machineHeader,
  start,
  upload,
  trivyQuery,
} from './__testUtils__/backend';

describe('secops backend', () => {
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
    }, 120_000);

    it('refuses a malformed cursor', async () => {
      const server = await start();
      const res = await request(server)
        .get('/api/secops/export/events')
        .query({ cursor: '1; drop table secops_events' });
      expect(res.status).toBe(400);
    }, 120_000);
  });
});
