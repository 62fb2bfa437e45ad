/*
 * The portal's sign-in and permission stack, end to end on the backend: the
 * real catalog loads the demo organisation from catalog/, people sign in
 * through the demo provider and get real Backstage tokens, and the portal's
 * own policy decides what each of them may do. Runs on SQLite and, when the
 * test command provides one, on PostgreSQL.
 */
import secopsPlugin from '@portal/plugin-secops-backend';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  DemoPortal,
  repoRoot,
  startDemoPortal,
  testDatabases,
} from './__testUtils__/demoPortal';

// Each plugin gets its own database, as in the running portal: in-memory
// SQLite files, or databases with a unique prefix on the PostgreSQL server
// that `./portal test` starts (PORTAL_TEST_POSTGRES names it).
const required = process.env.PORTAL_TEST_POSTGRES;
const targets = testDatabases();

describe('portal backend', () => {
  // Without PORTAL_TEST_POSTGRES (a bare `yarn test`) only SQLite runs; the
  // test command always provides PostgreSQL, and then it must be used.
  it('runs its database tests on the PostgreSQL the test command started', () => {
    const expected = required ? 'PostgreSQL' : 'SQLite';
    expect(targets.map(([name]) => name)).toContain(expected);
  });
});

describe.each(targets)('sign-in and permissions on %s', (_name, database) => {
  let portal: DemoPortal;
  let server: DemoPortal['server'];

  const signIn = (userName: string) =>
    request(server)
      .get('/api/auth/demo/refresh')
      .set('x-requested-with', 'XMLHttpRequest')
      .set('x-demo-user', userName);

  /** A bearer header for a demo user, signed in once per run. */
  const as = (userName: string) => portal.as(userName);

  const entity = async (ref: string, userName = 'grace-liu') =>
    request(server)
      .get(`/api/catalog/entities/by-name/${ref}`)
      .set('authorization', await as(userName));

  beforeAll(async () => {
    portal = await startDemoPortal({
      database,
      features: [secopsPlugin],
      config: {
        permission: {
          enabled: true,
          // team-appsec is under security: its members are in it too.
          portalPolicy: { security: ['group:default/security'] },
        },
      },
    });
    server = portal.server;
  }, 150_000);

  afterAll(async () => {
    await portal?.stop();
  });

  describe('demo sign-in', () => {
    it('lists the people one can be, with their role and team', async () => {
      const res = await request(server).get('/api/auth/demo/start');
      expect(res.status).toBe(200);
      expect(res.body.items).toContainEqual(
        expect.objectContaining({
          name: 'jonas-berg',
          entityRef: 'user:default/jonas-berg',
          role: 'ciso',
          memberOf: ['security'],
        }),
      );
    });

    it('signs a catalog user in with their groups as ownership', async () => {
      const res = await signIn('ben-okafor');
      expect(res.status).toBe(200);
      expect(res.body.profile.displayName).toBe('Ben Okafor');
      expect(res.body.backstageIdentity.identity).toEqual({
        type: 'user',
        userEntityRef: 'user:default/ben-okafor',
        ownershipEntityRefs: expect.arrayContaining([
          'user:default/ben-okafor',
          'group:default/team-checkout',
        ]),
      });
    });

    it('gives a department member ownership of its teams', async () => {
      const res = await signIn('maya-patel');
      expect(res.status).toBe(200);
      const refs = res.body.backstageIdentity.identity.ownershipEntityRefs;
      expect(refs).toEqual(
        expect.arrayContaining([
          'user:default/maya-patel',
          'group:default/engineering',
          'group:default/team-checkout',
          'group:default/team-platform',
        ]),
      );
      expect(refs).not.toContain('group:default/security');
    });

    it('refuses someone who is not in the catalog', async () => {
      const res = await signIn('mallory');
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/no user 'mallory'/);
    });

    it('refuses a malformed user name with a 400', async () => {
      const res = await signIn('../../etc/passwd');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/must be a catalog user name/);
    });

    it('refuses a request that names nobody', async () => {
      const res = await request(server)
        .get('/api/auth/demo/refresh')
        .set('x-requested-with', 'XMLHttpRequest');
      expect(res.status).toBe(401);
    });
  });

  describe('catalog permissions', () => {
    it('refuses a request without a token', async () => {
      const res = await request(server).get(
        '/api/catalog/entities/by-name/component/default/payments-api',
      );
      expect(res.status).toBe(401);
    });

    it('lets any signed-in person read the catalog', async () => {
      const res = await entity(
        'component/default/payments-api',
        'quentin-dubois',
      );
      expect(res.status).toBe(200);
      expect(res.body.spec.owner).toBe('group:default/team-checkout');
    });

    it('loads the whole demo organisation, everything owned by a group', async () => {
      const res = await request(server)
        .get('/api/catalog/entities/by-query')
        .query({ limit: 500, fields: 'kind,metadata.name,spec.owner' })
        .set('authorization', await as('grace-liu'));
      expect(res.status).toBe(200);
      const items: Array<{
        kind: string;
        metadata: { name: string };
        spec?: { owner?: string };
      }> = res.body.items;
      const count = (kind: string) => items.filter(e => e.kind === kind).length;
      expect(count('User')).toBeGreaterThanOrEqual(12);
      expect(count('Group')).toBeGreaterThanOrEqual(9);
      expect(count('Domain')).toBeGreaterThanOrEqual(3);
      expect(count('System')).toBeGreaterThanOrEqual(6);
      expect(count('Component')).toBeGreaterThanOrEqual(20);
      expect(count('API')).toBeGreaterThanOrEqual(1);
      expect(count('Resource')).toBeGreaterThanOrEqual(3);

      const groups = new Set(
        items
          .filter(e => e.kind === 'Group')
          .map(e => `group:default/${e.metadata.name}`),
      );
      const unowned = items
        .filter(e => !['User', 'Group', 'Location'].includes(e.kind))
        .filter(e => !groups.has(e.spec?.owner ?? ''))
        .map(e => `${e.kind}:${e.metadata.name} (${e.spec?.owner})`);
      expect(unowned).toEqual([]);
    });

    it('refuses to let a developer delete another team’s component', async () => {
      const target = await entity('component/default/search-service');
      expect(target.body.spec.owner).toBe('group:default/team-catalog');

      const res = await request(server)
        .delete(`/api/catalog/entities/by-uid/${target.body.metadata.uid}`)
        .set('authorization', await as('ben-okafor'));
      expect(res.status).toBe(403);
      expect((await entity('component/default/search-service')).status).toBe(
        200,
      );
    });

    it('lets a team member delete what the team owns', async () => {
      const target = await entity('component/default/cart-service');
      expect(target.body.spec.owner).toBe('group:default/team-checkout');

      const res = await request(server)
        .delete(`/api/catalog/entities/by-uid/${target.body.metadata.uid}`)
        .set('authorization', await as('ben-okafor'));
      expect(res.status).toBe(204);
    });

    it('lets anyone register a location, but only portal admins remove it', async () => {
      const created = await request(server)
        .post('/api/catalog/locations')
        .set('authorization', await as('alice-nguyen'))
        .send({
          type: 'url',
          target:
            'https://github.com/acme-commerce/cart-service/blob/main/catalog-info.yaml',
        });
      expect(created.status).toBe(201);
      const id = created.body.location.id;

      const refused = await request(server)
        .delete(`/api/catalog/locations/${id}`)
        .set('authorization', await as('alice-nguyen'));
      expect(refused.status).toBe(403);

      const allowed = await request(server)
        .delete(`/api/catalog/locations/${id}`)
        .set('authorization', await as('grace-liu'));
      expect(allowed.status).toBe(204);
    });
  });

  describe('security findings, by ownership', () => {
    const report = fs.readFileSync(
      path.join(repoRoot, 'fixtures/trivy/trivy-alpine-310-image.json'),
    );
    const upload = async (userName: string) =>
      request(server)
        .post('/api/secops/reports')
        .query({ entityRef: 'component:default/payments-api', tool: 'trivy' })
        .set('authorization', await as(userName))
        .set('content-type', 'application/octet-stream')
        .send(report);
    const read = async (userName: string) =>
      request(server)
        .get('/api/secops/entities/component/default/payments-api/findings')
        .set('authorization', await as(userName));

    it('lets the owning team upload, and refuses another team', async () => {
      const refused = await upload('emma-schulz');
      expect(refused.status).toBe(403);
      const allowed = await upload('ben-okafor');
      expect(allowed.status).toBe(201);
      expect(allowed.body.created).toBeGreaterThan(0);
    });

    it('shows the findings to the team, its department and security, not to other teams', async () => {
      expect((await read('ben-okafor')).status).toBe(200);
      expect((await read('maya-patel')).status).toBe(200);
      expect((await read('jonas-berg')).status).toBe(200);
      expect((await read('kira-tanaka')).status).toBe(200);
      const refused = await read('emma-schulz');
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(
        /may not see the findings of component:default\/payments-api/,
      );
    });
  });

  describe('a group’s security posture', () => {
    const posture = async (group: string, userName: string) =>
      request(server)
        .get(`/api/secops/groups/default/${group}/posture`)
        .set('authorization', await as(userName));

    it('rolls up what the group and its sub-groups own, worst first', async () => {
      const res = await posture('engineering', 'maya-patel');
      expect(res.status).toBe(200);
      expect(res.body.hidden).toBe(0);
      expect(res.body.totalCount).toBeGreaterThanOrEqual(10);
      expect(res.body.items[0].entityRef).toBe(
        'component:default/payments-api',
      );
      expect(res.body.totals.scanned).toBe(1);
      const owners = new Set(res.body.items.map((i: any) => i.owner));
      expect(owners).toContain('group:default/team-checkout');
      expect(owners).toContain('group:default/team-platform');
    });

    it('draws the group’s trend from what it may see', async () => {
      const res = await request(server)
        .get('/api/secops/groups/default/engineering/trend')
        .query({ days: 3 })
        .set('authorization', await as('maya-patel'));
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(3);
      const today = res.body.items[2].open;
      expect(today.medium + today.low).toBeGreaterThan(0);
      const hidden = await request(server)
        .get('/api/secops/groups/default/team-checkout/trend')
        .query({ days: 3 })
        .set('authorization', await as('emma-schulz'));
      expect(hidden.body.items[2].open.medium).toBe(0);
    });

    it('hides from another team what it may not see', async () => {
      const res = await posture('team-checkout', 'emma-schulz');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
      expect(res.body.hidden).toBeGreaterThan(0);
    });

    it('shows the security team everything', async () => {
      const res = await posture('acme', 'jonas-berg');
      expect(res.body.hidden).toBe(0);
      expect(res.body.totalCount).toBeGreaterThanOrEqual(20);
    });
  });

  describe('the organisation view, for security', () => {
    const get = async (route: string, userName: string) =>
      request(server)
        .get(`/api/secops/organisation/${route}`)
        .set('authorization', await as(userName));

    it('shows every team side by side, worst first', async () => {
      const res = await get('teams', 'jonas-berg');
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThanOrEqual(8);
      expect(res.body.items[0]).toMatchObject({
        groupRef: 'group:default/team-checkout',
        scanned: 1,
      });
    });

    it('finds who is exposed to a CVE, by id or alias', async () => {
      const res = await get('exposure?id=CVE-2019-1551', 'kira-tanaka');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        expect.objectContaining({
          entityRef: 'component:default/payments-api',
          packages: expect.arrayContaining([
            expect.stringMatching(/^libssl1.1@/),
          ]),
        }),
      ]);
      const none = await get('exposure?id=CVE-2021-44228', 'kira-tanaka');
      expect(none.body.items).toEqual([]);
      const bad = await get('exposure?id=x', 'kira-tanaka');
      expect(bad.status).toBe(400);
    });

    it('lists the top risks across every team', async () => {
      const res = await get('top-risks?limit=3', 'jonas-berg');
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(3);
    });

    it('refuses developers, and a department head', async () => {
      for (const route of ['teams', 'top-risks', 'exposure?id=CVE-2019-1551']) {
        expect((await get(route, 'ben-okafor')).status).toBe(403);
        expect((await get(route, 'maya-patel')).status).toBe(403);
      }
    });
  });

  describe('exemptions: owners ask, security decides', () => {
    it('refuses a developer approving, lets the CISO approve', async () => {
      const list = await request(server)
        .get('/api/secops/entities/component/default/payments-api/findings')
        .set('authorization', await as('ben-okafor'));
      expect(list.status).toBe(200);
      const findingId = list.body.items[0].id;
      const body = {
        justification: 'Base image update is scheduled for next sprint.',
        expiresAt: new Date(Date.now() + 7 * 86400000).toISOString(),
      };

      const otherTeam = await request(server)
        .post(`/api/secops/findings/${findingId}/exemptions`)
        .set('authorization', await as('emma-schulz'))
        .send(body);
      expect(otherTeam.status).toBe(403);

      const asked = await request(server)
        .post(`/api/secops/findings/${findingId}/exemptions`)
        .set('authorization', await as('ben-okafor'))
        .send(body);
      expect(asked.status).toBe(201);

      const decide = async (userName: string) =>
        request(server)
          .post(`/api/secops/exemptions/${asked.body.id}/decision`)
          .set('authorization', await as(userName))
          .send({ decision: 'approve' });
      const selfApproval = await decide('ben-okafor');
      expect(selfApproval.status).toBe(403);
      expect(selfApproval.body.error.message).toMatch(
        /Only the security team may approve or reject exemptions/,
      );
      const approved = await decide('jonas-berg');
      expect(approved.status).toBe(200);
      expect(approved.body.decidedBy).toBe('user:default/jonas-berg');
    });
  });
});
