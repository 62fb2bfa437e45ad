/*
 * Gate policies as the security team's data (issue 15): the configuration
 * seeds them; the security team previews a change across the organisation,
 * saves it as a new version with why, and the gate CI asks follows it at
 * once; a stale change is refused; nobody else may change or preview them.
 */
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  AuditRecord,
  fixture,
  securityLead,
  start,
  trivyQuery,
  upload,
} from './__testUtils__/backend';

const strict = [
  {
    name: 'strict',
    match: { type: ['Service'] },
    rules: [{ severity: 'low', maxOpen: 0 }],
  },
];

describe('gate policies', () => {
  it('are previewed, saved as versions with who and why, and followed by the gate', async () => {
    const audit: AuditRecord[] = [];
    const server = await start({ audit });
    await upload(
      server,
      trivyQuery,
      fixture('trivy/trivy-alpine-310-image.json'),
    );
    const gate = () =>
      request(server)
        .post('/api/secops/gate')
        .send({ entityRef: trivyQuery.entityRef, commit: 'abcdef1' });
    expect((await gate()).body).toMatchObject({
      gate: 'default',
      passed: true,
    });

    // The configuration's apply until the security team changes them.
    const seeded = await request(server).get('/api/secops/gate-policies');
    expect(seeded.body).toMatchObject({
      version: 0,
      source: 'config',
      policies: [{ name: 'default' }],
    });

    // What the stricter policy would do, before anything is saved.
    const preview = await request(server)
      .post('/api/secops/gate-policies/preview')
      .set('authorization', securityLead)
      .send({ policies: strict });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({
      entities: 2,
      failingBefore: 0,
      failingAfter: 1,
      newlyFailing: [
        {
          entityRef: 'component:default/payments-api',
          gateBefore: 'default',
          gateAfter: 'strict',
        },
      ],
      newlyFailingCount: 1,
      newlyPassing: [],
      newlyPassingCount: 0,
    });
    expect((await gate()).body.passed).toBe(true);

    const saved = await request(server)
      .put('/api/secops/gate-policies')
      .set('authorization', securityLead)
      .send({
        policies: strict,
        reason: 'No open finding at all before the audit',
        basedOn: 0,
      });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      version: 1,
      changedBy: 'user:default/security-lead',
      reason: 'No open finding at all before the audit',
      // Match values are kept as the gate compares them.
      policies: [{ name: 'strict', match: { type: ['service'] } }],
    });

    // The gate follows at once.
    const red = await gate();
    expect(red.body).toMatchObject({ gate: 'strict', passed: false });

    // A change made from the old version is refused, and nothing stored.
    const stale = await request(server)
      .put('/api/secops/gate-policies')
      .set('authorization', securityLead)
      .send({
        policies: strict,
        reason: 'Another change meanwhile',
        basedOn: 0,
      });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/changed meanwhile \(version 1/);

    // Said what is wrong: no reason, two policies of one name.
    const unexplained = await request(server)
      .put('/api/secops/gate-policies')
      .set('authorization', securityLead)
      .send({ policies: strict, reason: 'because', basedOn: 1 });
    expect(unexplained.status).toBe(400);
    expect(unexplained.body.error.message).toMatch(/at least 10 characters/);
    const twice = await request(server)
      .put('/api/secops/gate-policies')
      .set('authorization', securityLead)
      .send({
        policies: [...strict, { ...strict[0], name: 'Strict' }],
        reason: 'Two of the same name',
        basedOn: 1,
      });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/Two gate policies are named/);

    const history = await request(server).get(
      '/api/secops/gate-policies/history',
    );
    expect(history.body).toMatchObject({
      totalCount: 1,
      items: [{ version: 1, changedBy: 'user:default/security-lead' }],
    });
    const badCursor = await request(server).get(
      '/api/secops/gate-policies/history?cursor=abc',
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(
      /cursor must be the nextCursor/,
    );
    expect(
      audit.filter(a => a.eventId === 'gate-policy-change').map(a => a.status),
    ).toEqual(['succeeded', 'failed', 'failed', 'failed']);
  }, 120_000);

  it('may be read by everyone, changed and previewed only by the security team', async () => {
    const server = await start({
      policy: name =>
        name === 'secops.gatePolicy.manage'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    expect(
      (await request(server).get('/api/secops/gate-policies')).status,
    ).toBe(200);
    const change = await request(server)
      .put('/api/secops/gate-policies')
      .send({ policies: strict, reason: 'Let me loosen it a bit', basedOn: 0 });
    expect(change.status).toBe(403);
    expect(change.body.error.message).toMatch(
      /Only the security team may change the gate policies/,
    );
    const preview = await request(server)
      .post('/api/secops/gate-policies/preview')
      .send({ policies: strict });
    expect(preview.status).toBe(403);
    expect(
      (await request(server).get('/api/secops/gate-policies')).body.version,
    ).toBe(0);
  }, 120_000);
});
