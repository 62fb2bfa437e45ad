/*
 * The fleet route: the services the caller may see, with their template's
 * current version, filtered to those behind, to an owner or to the
 * caller's teams, paged; bad query parameters get a 400 that names them,
 * and machines are refused.
 */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { OwnershipService } from '@portal/catalog-ownership';
import express from 'express';
import request from 'supertest';
import { createFleetRouter } from './fleetRouter';

const service = (name: string, owner: string, version: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'acme.example/template': 'new-service',
      'acme.example/template-version': version,
    },
  },
  spec: { type: 'service', owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

const entities: Entity[] = [
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: 'new-service',
      namespace: 'default',
      annotations: { 'acme.example/template-version': '1.10.0' },
    },
    spec: {},
  },
  service('payments-api', 'group:default/team-checkout', '1.9.0'),
  service('cart-service', 'group:default/team-checkout', '1.10.0'),
  service('search-api', 'group:default/team-catalog', '1.2.0'),
  // Not on the golden path: not in the fleet.
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'legacy', namespace: 'default' },
    spec: { type: 'service', owner: 'group:default/team-checkout' },
  },
];

function app() {
  const groups = {
    groupsOf: async (user: string) =>
      user === 'user:default/ben-okafor' ? ['group:default/team-checkout'] : [],
    withDescendants: async (refs: string[]) => refs,
  } as unknown as OwnershipService;
  const server = express();
  server.use(
    createFleetRouter({
      catalog: catalogServiceMock({ entities }),
      httpAuth: mockServices.httpAuth(),
      groups,
    }),
  );
  server.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return server;
}

const BEN = mockCredentials.user.header('user:default/ben-okafor');
const get = (query: string, who = BEN) =>
  request(app()).get(`/golden-path/fleet${query}`).set('authorization', who);

describe('GET /golden-path/fleet', () => {
  it('lists the fleet with versions counted, filtered and paged', async () => {
    const all = await get('');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      templates: [{ template: 'new-service', version: '1.10.0' }],
      totalCount: 3,
      behindCount: 2,
      versions: [
        { template: 'new-service', version: '1.2.0', count: 1, behind: true },
        { template: 'new-service', version: '1.9.0', count: 1, behind: true },
        { template: 'new-service', version: '1.10.0', count: 1, behind: false },
      ],
    });
    expect(all.body.items.map((s: any) => [s.entityRef, s.behind])).toEqual([
      ['component:default/cart-service', false],
      ['component:default/payments-api', true],
      ['component:default/search-api', true],
    ]);

    const behind = await get('?behindOnly=true&limit=1');
    expect(behind.body).toMatchObject({
      totalCount: 2,
      nextCursor: '1',
      items: [{ entityRef: 'component:default/payments-api' }],
    });
    const next = await get('?behindOnly=true&limit=1&cursor=1');
    expect(next.body.items[0].entityRef).toBe('component:default/search-api');
    expect(next.body.nextCursor).toBeUndefined();

    const mine = await get('?mine=true&behindOnly=true');
    expect(mine.body.items.map((s: any) => s.entityRef)).toEqual([
      'component:default/payments-api',
    ]);
    const theirs = await get('?ownerRef=team-catalog');
    expect(theirs.body.items.map((s: any) => s.entityRef)).toEqual([
      'component:default/search-api',
    ]);
    // Mine and another team's: none of both.
    expect(
      (await get('?mine=true&ownerRef=team-catalog')).body.totalCount,
    ).toBe(0);
  });

  it.each([
    [
      '?sort=name',
      'unknown query parameter "sort" (use ownerRef, mine, behindOnly, cursor, limit)',
    ],
    ['?limit=0', 'limit must be a whole number from 1 to 100'],
    ['?limit=101', 'limit must be a whole number from 1 to 100'],
    ['?cursor=abc', 'cursor is not one this route gave'],
    ['?behindOnly=yes', 'behindOnly must be true or false'],
    [
      '?ownerRef=user:default/ben',
      'ownerRef "user:default/ben" is not a group ref',
    ],
    ['?mine=true&mine=false', 'give the query parameter "mine" once'],
  ])('answers 400 for %s', async (query, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
  });

  it('is for people: no token is a 401, a machine a 403', async () => {
    expect((await get('', mockCredentials.none.header())).status).toBe(401);
    expect((await get('', mockCredentials.service.header())).status).toBe(403);
  });
});
