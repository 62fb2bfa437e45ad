/*
 * Remediation (issue 15): the owners of an entity assign its open findings
 * to a member of the owning team, in bulk, all or none; the assignee is
 * notified once; the list filters by assignee; the owning team is notified
 * of new critical and high findings once per scan. The plugin runs on a
 * test backend (src/__testUtils__/backend.ts).
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { SignalPayload } from '@backstage/plugin-signals-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  AuditRecord,
  cart,
  ciHeader,
  fixture,
  payments,
  start,
  trivyQuery,
  upload,
} from './__testUtils__/backend';

const member = (name: string, team: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
});
const team = (name: string, members: string[], parent?: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  relations: [
    ...members.map(m => ({
      type: 'hasMember',
      targetRef: `user:default/${m}`,
    })),
    ...(parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : []),
  ],
});
const entities = [
  payments,
  cart,
  team('team-checkout', ['ben']),
  // A team below checkout: its members work on checkout's findings too.
  team('checkout-mobile', ['mo'], 'team-checkout'),
  {
    ...team('team-catalog', ['emma']),
  },
  member('ben', 'team-checkout'),
  member('mo', 'checkout-mobile'),
  member('emma', 'team-catalog'),
];
// team-checkout names its child, as the catalog's relations would.
(entities[2] as any).relations.push({
  type: 'parentOf',
  targetRef: 'group:default/checkout-mobile',
});

const ben = mockCredentials.user.header('user:default/ben');
const FINDINGS = '/api/secops/entities/component/default/payments-api/findings';

async function setUp(
  options: {
    policy?: (
      permission: string,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const audit: AuditRecord[] = [];
  const notifications: NotificationSendOptions[] = [];
  const signals: SignalPayload[] = [];
  const server = await start({
    entities,
    audit,
    notifications,
    signals,
    policy: options.policy,
    config: {
      machineIdentity: {
        ci: [
          {
            subjectPrefix: 'external:github-actions:repo:',
            host: 'github.com',
          },
        ],
      },
    },
  });
  await upload(
    server,
    trivyQuery,
    fixture('trivy/trivy-alpine-310-image.json'),
  ).set('authorization', ciHeader('acme/payments-api'));
  const list = await request(server)
    .get(FINDINGS)
    .set('authorization', ben)
    .query({ status: 'open', limit: 500 });
  const ids: string[] = list.body.items.map((f: { id: string }) => f.id);
  const assign = (body: object, as = ben) =>
    request(server)
      .post('/api/secops/findings/assignments')
      .set('authorization', as)
      .send(body);
  const assigneeOf = async () => {
    const res = await request(server)
      .get(FINDINGS)
      .set('authorization', ben)
      .query({ limit: 500 });
    return new Map<string, string | undefined>(
      res.body.items.map((f: { id: string; assignee?: string }) => [
        f.id,
        f.assignee,
      ]),
    );
  };
  return { server, audit, notifications, signals, ids, assign, assigneeOf };
}

describe('finding assignment', () => {
  it('assigns open findings in bulk to a member of the owning team, notifies them once, and lists by assignee', async () => {
    const setup = await setUp();
    const { server, audit, ids, assign, assigneeOf } = setup;
    const sent = () =>
      setup.notifications.filter(n => n.payload.topic === 'secops-assignment');
    expect(ids.length).toBeGreaterThan(3);
    const chosen = ids.slice(0, 3);

    const res = await assign({ findingIds: chosen, assignee: 'mo' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      assignee: 'user:default/mo',
      changed: chosen,
      unchanged: [],
    });
    const now = await assigneeOf();
    expect(chosen.map(id => now.get(id))).toEqual(
      chosen.map(() => 'user:default/mo'),
    );
    expect(now.get(ids[3])).toBeUndefined();

    const mine = await request(server)
      .get(FINDINGS)
      .set('authorization', ben)
      .query({ assignee: 'user:default/mo', limit: 500 });
    expect(mine.body.items.map((f: { id: string }) => f.id).sort()).toEqual(
      [...chosen].sort(),
    );
    expect(mine.body.items[0]).toMatchObject({
      assignedBy: 'user:default/ben',
      assignedAt: expect.any(String),
    });
    const nobodys = await request(server)
      .get(FINDINGS)
      .set('authorization', ben)
      .query({ assignee: 'none', limit: 500, status: 'open' });
    expect(nobodys.body.totalCount).toBe(ids.length - 3);

    // One notification for the request, to the assignee, with a link.
    expect(sent()).toHaveLength(1);
    expect(sent()[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'user:default/mo' },
      payload: {
        title: '3 findings assigned to you',
        link: '/catalog/default/component/payments-api/security',
        topic: 'secops-assignment',
      },
    });
    // The same assignment again changes nothing and notifies nobody; one
    // more finding notifies of that one only.
    const again = await assign({ findingIds: chosen, assignee: 'mo' });
    expect(again.body).toMatchObject({ changed: [], unchanged: chosen });
    const more = await assign({
      findingIds: [...chosen, ids[3]],
      assignee: 'user:default/mo',
    });
    expect(more.body.changed).toEqual([ids[3]]);
    expect(sent()).toHaveLength(2);
    expect(sent()[1].payload.title).toMatch(/^Assigned to you: /);

    // Taken back: nobody's again, and nobody is notified.
    const back = await assign({ findingIds: [ids[3]], assignee: null });
    expect(back.body).toEqual({
      assignee: null,
      changed: [ids[3]],
      unchanged: [],
    });
    expect((await assigneeOf()).get(ids[3])).toBeUndefined();
    expect(sent()).toHaveLength(2);
    expect(audit.filter(a => a.eventId === 'finding-assign')).toEqual(
      Array(4).fill({ eventId: 'finding-assign', status: 'succeeded' }),
    );
  }, 120_000);

  it('refuses an assignee outside the owning team, an unknown or fixed finding, all or none', async () => {
    const { server, ids, assign, assigneeOf, notifications } = await setUp();
    const outsider = await assign({
      findingIds: ids.slice(0, 2),
      assignee: 'emma',
    });
    expect(outsider.status).toBe(400);
    expect(outsider.body.error.message).toBe(
      'user:default/emma is not a member of group:default/team-checkout, which owns component:default/payments-api',
    );
    const unknownUser = await assign({
      findingIds: [ids[0]],
      assignee: 'nobody',
    });
    expect(unknownUser.status).toBe(400);
    expect(unknownUser.body.error.message).toBe(
      'user:default/nobody is not a member of any team',
    );
    const missing = await assign({
      findingIds: [ids[0], '99999999'],
      assignee: 'ben',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('No finding 99999999');
    // Nothing of the refused requests was written.
    expect([...(await assigneeOf()).values()].every(a => !a)).toBe(true);
    expect(
      notifications.filter(n => n.payload.topic === 'secops-assignment'),
    ).toHaveLength(0);

    // CI's next scan has none of them: they are fixed, and not assigned.
    await upload(
      server,
      trivyQuery,
      JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: [] }),
    ).set('authorization', ciHeader('acme/payments-api'));
    const fixed = await assign({ findingIds: [ids[0]], assignee: 'ben' });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error.message).toBe(
      `Only open findings are assigned; ${ids[0]} is fixed`,
    );
  }, 120_000);

  it('refuses bad input with 400 saying what is wrong', async () => {
    const { server, assign, ids } = await setUp();
    const cases: Array<[object, RegExp]> = [
      [{ findingIds: [], assignee: 'ben' }, /findingIds/],
      [{ findingIds: ['1'] }, /assignee/],
      [{ findingIds: ['abc'], assignee: 'ben' }, /findingIds/],
      [{ findingIds: Array(501).fill('1'), assignee: 'ben' }, /findingIds/],
      [
        { findingIds: [ids[0]], assignee: 'ben', extra: 1 },
        /extra|additional/i,
      ],
      [
        { findingIds: [ids[0]], assignee: 'group:default/team-checkout' },
        /must be a user/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await assign(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error.message).toMatch(message);
    }
    const badFilter = await request(server)
      .get(FINDINGS)
      .set('authorization', ben)
      .query({ assignee: 'group:default/team-checkout' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.message).toMatch(/assignee must be a user/);
  }, 120_000);

  it('refuses people the policy does not let assign, and machines', async () => {
    const { assign, ids, assigneeOf, audit } = await setUp({
      policy: name =>
        name === 'secops.finding.assign'
          ? AuthorizeResult.DENY
          : AuthorizeResult.ALLOW,
    });
    const denied = await assign({ findingIds: [ids[0]], assignee: 'ben' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'You may not assign the findings of component:default/payments-api',
    );
    const machine = await assign(
      { findingIds: [ids[0]], assignee: 'ben' },
      ciHeader('acme/payments-api'),
    );
    expect(machine.status).toBe(403);
    expect((await assigneeOf()).get(ids[0])).toBeUndefined();
    expect(audit.filter(a => a.eventId === 'finding-assign')).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
  }, 120_000);

  it('tells the owning team of the critical and high findings a scan brings, once per scan', async () => {
    const { server, notifications } = await setUp();
    const scans = () =>
      notifications.filter(n => n.payload.topic === 'secops-new-findings');
    // The first scan (Trivy's, of medium findings only) told nobody.
    expect(scans()).toHaveLength(0);
    const grype = () =>
      upload(
        server,
        { entityRef: trivyQuery.entityRef, tool: 'grype' },
        fixture('grype/grype-presenter-image-golden.json'),
      ).set('authorization', ciHeader('acme/payments-api'));
    const first = await grype();
    expect(first.status).toBe(201);
    expect(scans()).toHaveLength(1);
    const [notice] = scans();
    expect(notice.recipients).toEqual({
      type: 'entity',
      entityRef: ['group:default/team-checkout'],
    });
    expect(notice.payload).toMatchObject({
      title: expect.stringMatching(
        /^\d+ new critical or high findings? in payments-api$/,
      ),
      severity: 'critical',
      link: '/catalog/default/component/payments-api/security',
      scope: `secops:scan:${first.body.scanId}`,
    });
    expect(notice.payload.description).toMatch(/^grype found: critical /);

    // The same report again brings nothing new: nobody is told twice.
    const again = await grype();
    expect(again.body).toMatchObject({ created: 0, reopened: 0 });
    expect(scans()).toHaveLength(1);
  }, 120_000);

  it('tells the owning team when its gate starts failing, not again while it keeps failing', async () => {
    const { server, notifications } = await setUp();
    const gates = () =>
      notifications.filter(n => n.payload.topic === 'secops-gate');
    const ask = () =>
      request(server)
        .post('/api/secops/gate')
        .set('authorization', ciHeader('acme/payments-api'))
        .send({
          entityRef: 'component:default/payments-api',
          commit: 'abcdef1',
          branch: 'main',
        });
    expect((await ask()).body.passed).toBe(true);
    expect(gates()).toHaveLength(0);
    // Criticals arrive: the gate fails, and the team hears it once.
    await upload(
      server,
      { entityRef: trivyQuery.entityRef, tool: 'grype' },
      fixture('grype/grype-presenter-image-golden.json'),
    ).set('authorization', ciHeader('acme/payments-api'));
    const failed = await ask();
    expect(failed.body.passed).toBe(false);
    expect(gates()).toHaveLength(1);
    expect(gates()[0]).toMatchObject({
      recipients: {
        type: 'entity',
        entityRef: ['group:default/team-checkout'],
      },
      payload: {
        title: `The ${failed.body.gate} gate now fails for payments-api`,
        description: expect.stringMatching(
          /^Failed: .*\. CI is stopped until it passes again\.$/,
        ),
        scope: 'secops:gate-failing:component:default/payments-api',
      },
    });
    expect((await ask()).body.passed).toBe(false);
    expect(gates()).toHaveLength(1);
  }, 120_000);

  it('tells the open Security tabs of an entity that a scan, an assignment or an exemption changed its findings', async () => {
    const { server, signals, ids, assign } = await setUp();
    const channel = 'secops:entity:component:default/payments-api';
    const heard = () =>
      signals.filter(s => s.channel === channel).map(s => s.message.change);
    // The scan of the set-up.
    expect(heard()).toEqual(['scan']);
    expect(signals[0]).toEqual({
      recipients: { type: 'broadcast' },
      channel,
      message: { entityRef: 'component:default/payments-api', change: 'scan' },
    });
    expect(
      (await assign({ findingIds: ids.slice(0, 2), assignee: 'mo' })).status,
    ).toBe(200);
    // Again the same: nothing changed, nothing said.
    await assign({ findingIds: ids.slice(0, 2), assignee: 'mo' });
    const asked = await request(server)
      .post(`/api/secops/findings/${ids[0]}/exemptions`)
      .set('authorization', ben)
      .send({
        justification: 'Not reachable from outside the cluster',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      });
    expect(asked.status).toBe(201);
    expect(heard()).toEqual(['scan', 'assignment', 'exemption']);
    // Nothing is said of other entities, and a refused change says nothing.
    expect(signals.every(s => s.channel === channel)).toBe(true);
    await assign({ findingIds: ids.slice(0, 1), assignee: 'emma' });
    expect(heard()).toHaveLength(3);
  }, 120_000);
});
