/*
 * The SecOps backend's posture: the trend by day, every team side by side, and a
 * large group under the policy's conditions (the plugin started on a test
 * backend: src/__testUtils__/backend.ts).
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import {
  fixture,
  component,
  payments,
  cart,
  securityLead,
  start,
  upload,
  trivyQuery,
} from './__testUtils__/backend';
import { secopsPlugin } from './plugin';

describe('secops backend', () => {
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
  }, 120_000);

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
    // it after that, once the refresh the first reader after 30 s starts
    // in the background has ended (that reader is answered the last result
    // at once).
    const cartUpload = await upload(
      server,
      { ...trivyQuery, entityRef: 'component:default/cart-service' },
      report,
    );
    expect(cartUpload.status).toBe(201);
    const teams = () =>
      request(server)
        .get('/api/secops/organisation/teams')
        .set('authorization', securityLead);
    const scannedOfCatalog = (body: { items: any[] }) =>
      body.items.find(row => row.groupRef === 'group:default/team-catalog')
        .scanned;
    expect((await teams()).body).toEqual(res.body);
    clockOffset = 31_000;
    try {
      const stale = await teams();
      expect(stale.body).toEqual(res.body);
      let scanned = scannedOfCatalog(stale.body);
      for (let i = 0; scanned === 0 && i < 200; i++) {
        await new Promise(r => setTimeout(r, 50));
        scanned = scannedOfCatalog((await teams()).body);
      }
      expect(scanned).toBe(1);
    } finally {
      clock.mockRestore();
    }
  }, 120_000);

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
});
