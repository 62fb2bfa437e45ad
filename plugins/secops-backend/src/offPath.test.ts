/*
 * Off-path exceptions (issue 16, item 5): a team lets one of its workloads
 * off the golden path with its eyes open. Its owners ask, with a reason and
 * an end; someone else of the security team decides; the register lists it
 * with its owner; the admission bindings leave the workload out in its
 * namespace only while the exception is active. Bad input gets a 400 that
 * names what is wrong and writes nothing. The plugin runs on a test backend
 * (src/__testUtils__/backend.ts).
 */
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  AuditRecord,
  machineConfig,
  machineHeader,
  securityLead,
  start,
} from './__testUtils__/backend';

const ben = mockCredentials.user.header('user:default/ben');
const DAY = 86_400_000;
const LIST = '/api/secops/off-path-exceptions';
const inDays = (days: number) =>
  new Date(Date.now() + days * DAY).toISOString();
const asking = {
  entityRef: 'component:default/payments-api',
  namespace: 'ml-lab',
  workload: 'gpu-notebook',
  reason:
    'The GPU driver needs a privileged init container the path has not got',
  expiresAt: inDays(30),
};

async function setUp(
  policy?: (permission: string) => AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) {
  const audit: AuditRecord[] = [];
  const notifications: NotificationSendOptions[] = [];
  const server = await start({
    audit,
    notifications,
    policy,
    config: machineConfig,
  });
  const ask = (body: object, as = ben) =>
    request(server).post(LIST).set('authorization', as).send(body);
  const decide = (id: string, body: object, as = securityLead) =>
    request(server)
      .post(`${LIST}/${id}/decision`)
      .set('authorization', as)
      .send(body);
  const list = (query: object = {}, as = ben) =>
    request(server).get(LIST).set('authorization', as).query(query);
  const admission = (as = ben) =>
    request(server).get(`${LIST}/admission`).set('authorization', as);
  return { server, audit, notifications, ask, decide, list, admission };
}

describe('off-path exceptions', () => {
  it('lets the owners ask and someone else of the security team approve; lists it; renders the bindings without the workload, in its namespace only', async () => {
    const { audit, notifications, ask, decide, list, admission } =
      await setUp();

    const asked = await ask(asking);
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({
      entityRef: 'component:default/payments-api',
      namespace: 'ml-lab',
      workload: 'gpu-notebook',
      requestedBy: 'user:default/ben',
      status: 'pending',
      state: 'pending',
    });
    const { id } = asked.body;
    // Pending: the bindings are the policy's one binding, unchanged.
    const before = await admission();
    expect(before.status).toBe(200);
    expect(before.body.items).toHaveLength(1);

    // Nobody decides their own request.
    const own = await decide(id, { decision: 'approve' }, ben);
    expect(own.status).toBe(403);
    expect(own.body.error.message).toMatch(/someone else/);

    const approved = await decide(id, {
      decision: 'approve',
      comment: 'Until the path has a GPU variant',
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      state: 'active',
      decidedBy: 'user:default/security-lead',
    });
    // Decided once.
    expect((await decide(id, { decision: 'reject' })).status).toBe(409);
    // One pending or active exception per workload and namespace.
    expect((await ask(asking)).status).toBe(409);

    // The register: with its owner, reason and end.
    const page = await list();
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      items: [
        expect.objectContaining({
          id,
          owner: 'group:default/team-checkout',
          reason: asking.reason,
          expiresAt: asking.expiresAt,
          state: 'active',
        }),
      ],
      totalCount: 1,
    });
    expect((await list({ state: 'pending' })).body.totalCount).toBe(0);
    expect((await list({ state: 'active' })).body.totalCount).toBe(1);

    // The bindings: everywhere but ml-lab as before, and ml-lab without
    // the excepted workload.
    const after = await admission();
    expect(after.body.kind).toBe('List');
    const [everywhere, mlLab] = after.body.items;
    expect(
      everywhere.spec.matchResources.namespaceSelector.matchExpressions,
    ).toEqual([
      expect.objectContaining({
        operator: 'NotIn',
        values: expect.arrayContaining(['kube-system', 'ml-lab']),
      }),
    ]);
    expect(mlLab.metadata.name).toBe('golden-path.portal.acme.example.ml-lab');
    expect(mlLab.spec.matchResources.excludeResourceRules).toEqual([
      expect.objectContaining({ resourceNames: ['gpu-notebook'] }),
    ]);

    // The owners heard of the decision.
    expect(
      notifications.filter(n => n.payload.topic === 'secops-off-path'),
    ).toEqual([
      expect.objectContaining({
        recipients: {
          type: 'entity',
          entityRef: ['group:default/team-checkout'],
        },
        payload: expect.objectContaining({
          title: 'Off-path exception for ml-lab/gpu-notebook approved',
        }),
      }),
    ]);
    expect(
      audit.filter(a => a.eventId.startsWith('off-path-exception')),
    ).toEqual([
      expect.objectContaining({
        eventId: 'off-path-exception-request',
        status: 'succeeded',
      }),
      expect.objectContaining({
        eventId: 'off-path-exception-decision',
        status: 'failed',
      }),
      expect.objectContaining({
        eventId: 'off-path-exception-decision',
        status: 'succeeded',
      }),
      expect.objectContaining({
        eventId: 'off-path-exception-decision',
        status: 'failed',
      }),
      expect.objectContaining({
        eventId: 'off-path-exception-request',
        status: 'failed',
      }),
    ]);
  }, 120_000);

  it('answers bad input with a 400 that names what is wrong, and writes nothing', async () => {
    const { server, ask, decide, list } = await setUp();
    const cases: Array<[object, RegExp]> = [
      [{ ...asking, namespace: 'ML_Lab' }, /namespace must match pattern/],
      [{ ...asking, namespace: 'kube-system' }, /cluster.s own namespaces/],
      [{ ...asking, workload: 'a'.repeat(254) }, /workload must NOT have more/],
      [{ ...asking, workload: '../etc' }, /workload must match pattern/],
      [{ ...asking, reason: '  because  ' }, /reason must say why/],
      [{ ...asking, expiresAt: 'next week' }, /expiresAt/],
      [{ ...asking, expiresAt: inDays(-1) }, /in the future/],
      [{ ...asking, expiresAt: inDays(200) }, /at most 180 days/],
      [{ ...asking, approved: true }, /must NOT have additional properties/],
      [{ ...asking, entityRef: 'not a ref' }, /entity ref|entityRef/i],
    ];
    for (const [body, message] of cases) {
      const res = await ask(body);
      expect({ status: res.status, message: res.body.error?.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
    }
    const notJson = await request(server)
      .post(LIST)
      .set('authorization', ben)
      .set('content-type', 'application/json')
      .send('{"namespace": ');
    expect(notJson.status).toBe(400);
    // An entity the catalog does not know.
    const unknown = await ask({
      ...asking,
      entityRef: 'component:default/nowhere',
    });
    expect(unknown.status).toBe(404);
    expect((await decide('no-such-id', { decision: 'approve' })).status).toBe(
      404,
    );
    expect((await decide('x', { decision: 'maybe' })).status).toBe(400);
    expect((await list({ state: 'forgotten' })).status).toBe(400);
    expect((await list({ cursor: 'garbage' })).status).toBe(400);
    expect((await list()).body).toEqual({ items: [], totalCount: 0 });
  }, 120_000);

  it('refuses whom the policy does not let ask or decide, and machines without the read grant', async () => {
    const noAsking = await setUp(name =>
      name === 'secops.exemption.request'
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    );
    const refused = await noAsking.ask(asking);
    expect(refused.status).toBe(403);
    expect((await noAsking.list()).body.totalCount).toBe(0);

    const noDeciding = await setUp(name =>
      name === 'secops.exemption.decide'
        ? AuthorizeResult.DENY
        : AuthorizeResult.ALLOW,
    );
    const { id } = (await noDeciding.ask(asking)).body;
    const denied = await noDeciding.decide(id, { decision: 'approve' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/Only the security team/);
    expect((await noDeciding.list()).body.items[0].state).toBe('pending');

    // Machines: the read grant for the register and the bindings (the
    // deployment pipeline), never asking.
    const siem = machineHeader('siem');
    const scanner = machineHeader('security-scanner');
    expect((await noDeciding.list({}, siem)).status).toBe(403);
    expect((await noDeciding.admission(siem)).status).toBe(403);
    expect((await noDeciding.list({}, scanner)).status).toBe(200);
    expect((await noDeciding.admission(scanner)).status).toBe(200);
    expect((await noDeciding.ask(asking, scanner)).status).toBe(403);
  }, 120_000);
});
