/*
 * The SecOps backend's reports and findings: a report stored once, uploads from the entity's
 * own CI, compressed or of a format it recognises, the findings list, and
 * the policy's refusals (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import {
  fixture,
  machineConfig,
  ciHeader,
  start,
  upload,
  trivyQuery,
} from './__testUtils__/backend';

describe('secops backend', () => {
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
  }, 120_000);

  it("accepts uploads from the entity's own CI", async () => {
    const server = await start({ config: machineConfig });
    const res = await request(server)
      .post('/api/secops/reports')
      .query({ ...trivyQuery, format: 'sarif', tool: 'trivy' })
      .set('authorization', ciHeader('acme/payments-api'))
      .send(fixture('sarif/trivy-alpine-310.sarif'));
    expect(res.status).toBe(201);
  }, 120_000);

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
  }, 120_000);

  it('recognises the format when the upload does not name it', async () => {
    const server = await start();
    const res = await upload(
      server,
      { entityRef: trivyQuery.entityRef, tool: 'grype' },
      fixture('grype/grype-presenter-image-golden.json'),
    );
    expect(res.status).toBe(201);
    expect(res.body.format).toBe('grype');
  }, 120_000);

  it('imports pen-test results (DefectDojo generic JSON and CSV) and tracks their retest', async () => {
    const server = await start();
    const pentestQuery = {
      entityRef: trivyQuery.entityRef,
      tool: 'acme-pentest',
    };
    const report = JSON.parse(
      fixture('defectdojo/generic_report3.json').toString('utf8'),
    );
    report.tester = 'Acme Offensive Security';
    report.engagement = '2026 Q4 external test';
    const first = await upload(server, pentestQuery, JSON.stringify(report));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ format: 'defectdojo', created: 3 });

    // The retest: the first still there, the second mitigated, the third
    // no longer listed.
    report.findings[0].retest_status = 'Still present';
    report.findings[1].is_mitigated = true;
    report.findings.pop();
    const retest = await upload(server, pentestQuery, JSON.stringify(report));
    expect(retest.status).toBe(201);
    expect(retest.body).toMatchObject({ unchanged: 1, fixed: 2 });

    const findings = await request(server)
      .get('/api/secops/entities/component/default/payments-api/findings')
      .query({ category: 'pentest' });
    expect(findings.status).toBe(200);
    const byTitle = Object.fromEntries(
      findings.body.items.map((f: any) => [f.title, f]),
    );
    expect(byTitle['test title with endpoints as dict']).toMatchObject({
      category: 'pentest',
      status: 'open',
      pentest: {
        tester: 'Acme Offensive Security',
        engagement: '2026 Q4 external test',
        retestStatus: 'still-present',
      },
    });
    expect(byTitle['test title'].pentest.retestStatus).toBe('fixed');

    // A pen-test firm's spreadsheet, recognised without format=.
    const csv = await upload(
      server,
      { ...pentestQuery, tool: 'spreadsheet-pentest' },
      fixture('defectdojo/generic_report1.csv'),
    );
    expect(csv.status).toBe(201);
    expect(csv.body).toMatchObject({ format: 'defectdojo', created: 5 });

    // A ragged spreadsheet is refused, saying where; nothing is written.
    const ragged = await upload(
      server,
      { ...pentestQuery, tool: 'ragged-pentest' },
      'Title,Severity\nSQL injection,High\nXSS,Medium,oops\n',
    );
    expect(ragged.status).toBe(400);
    expect(ragged.body.error.message).toMatch(
      /Not a DefectDojo generic findings CSV report: .*line 3/,
    );
    const after = await request(server)
      .get('/api/secops/entities/component/default/payments-api/findings')
      .query({ category: 'pentest', limit: 100 });
    expect(after.body.items.map((f: any) => f.tool)).not.toContain(
      'ragged-pentest',
    );
  }, 120_000);

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
  }, 120_000);

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
  }, 120_000);

  it('refuses requests without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .post('/api/secops/reports')
      .query(trivyQuery)
      .set('authorization', mockCredentials.none.header())
      .send(fixture('trivy/trivy-alpine-310-image.json'));
    expect(res.status).toBe(401);
  }, 120_000);
});
