/*
 * The SecOps backend's answers to bad input: a clear 4xx that changes nothing,
 * size limits, gzip bombs and mutated reports (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  fixture,
  AuditRecord,
  start,
  upload,
  trivyQuery,
} from './__testUtils__/backend';

describe('secops backend', () => {
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
        'neither JSON, XML nor CSV',
        trivyQuery,
        'hello',
        400,
        /neither JSON, XML nor CSV/,
      ],
      [
        'the wrong format for the content',
        { ...trivyQuery, format: 'sarif' },
        fixture('trivy/trivy-alpine-310-image.json'),
        400,
        /SARIF/i,
      ],
    ];

    it.each(cases)(
      '%s',
      async (_what, query, body, status, message) => {
        const server = await start();
        const res = await upload(server, query, body);
        expect(res.status).toBe(status);
        expect(res.body.error.message).toMatch(message);
        const list = await request(server).get(
          '/api/secops/entities/component/default/payments-api/findings',
        );
        expect(list.body.totalCount).toBe(0);
      },
      120_000,
    );

    it('a report over the size limit gets 413', async () => {
      const server = await start({
        config: { secops: { limits: { maxReportBytes: 1000 } } },
      });
      const res = await upload(server, trivyQuery, 'x'.repeat(2000));
      expect(res.status).toBe(413);
      expect(res.body.error.message).toMatch(/secops.limits.maxReportBytes/);
    }, 120_000);

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
    }, 120_000);

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
    }, 120_000);

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
    }, 120_000);

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
      120_000,
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
    }, 120_000);

    it('deeply nested JSON gets a 4xx, not a crash', async () => {
      const server = await start();
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const res = await upload(server, trivyQuery, deep);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }, 120_000);
  });
});
