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
import { Adoption } from './discovery/Adoption';
import { createFleetRouter } from './fleetRouter';
import { Ownership } from './ownership';

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

const user = (name: string, team: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${team}` }],
});

/** The adoption map, as the routes see it. */
const adoption = {
  summary: jest.fn(async () => ({ counts: { repositories: 5 } })),
  list: jest.fn(async () => ({ items: [], totalCount: 0 })),
};

/**
 * Who the token says each person owns through (the sign-in resolver's
 * ownershipEntityRefs): themselves and their teams.
 */
const userInfo = {
  getUserInfo: async (credentials: any) => {
    const userEntityRef = credentials.principal.userEntityRef;
    return {
      userEntityRef,
      ownershipEntityRefs:
        userEntityRef === 'user:default/ben-okafor'
          ? [userEntityRef, 'group:default/team-checkout']
          : [userEntityRef],
    };
  },
};

function app(extra: Entity[] = []) {
  const groups = {
    groupsOf: async (ref: string) =>
      ref === 'user:default/ben-okafor' ? ['group:default/team-checkout'] : [],
    withDescendants: async (refs: string[]) => refs,
    withAncestors: async (refs: string[]) => refs,
  } as unknown as OwnershipService;
  const catalog = catalogServiceMock({
    entities: [
      ...entities,
      ...extra,
      user('ben-okafor', 'team-checkout'),
      user('grace-liu', 'team-platform'),
    ],
  });
  const server = express();
  server.use(
    createFleetRouter({
      catalog,
      httpAuth: mockServices.httpAuth(),
      userInfo,
      groups,
      adoption: adoption as unknown as Adoption,
      ownership: new Ownership(
        catalog,
        mockServices.auth(),
        ['group:default/team-platform'],
        groups,
      ),
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

  it("'mine' takes the services the person owns themself as well as their teams'", async () => {
    const res = await request(
      app([
        service('ben-sandbox', 'user:default/ben-okafor', '1.9.0'),
        service('grace-sandbox', 'user:default/grace-liu', '1.9.0'),
      ]),
    )
      .get('/golden-path/fleet?mine=true')
      .set('authorization', BEN);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: any) => s.entityRef)).toEqual([
      'component:default/ben-sandbox',
      'component:default/cart-service',
      'component:default/payments-api',
    ]);
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

describe('the adoption routes', () => {
  const GRACE = mockCredentials.user.header('user:default/grace-liu');
  const call = (url: string, who: string) =>
    request(app()).get(url).set('authorization', who);

  it('answer the platform team, with the filters checked', async () => {
    const summary = await call('/golden-path/adoption', GRACE);
    expect(summary.status).toBe(200);
    expect(summary.body).toEqual({ counts: { repositories: 5 } });
    const list = await call(
      '/golden-path/repositories?pipeline=custom&inCatalog=false&ownerKnown=false&search=sync&cursor=25&limit=25',
      GRACE,
    );
    expect(list.status).toBe(200);
    expect(adoption.list).toHaveBeenLastCalledWith(
      {
        pipeline: 'custom',
        inCatalog: false,
        ownerKnown: false,
        search: 'sync',
      },
      { offset: 25, limit: 25 },
    );
  });

  it('refuse everyone else, and bad filters with what is wrong', async () => {
    const denied = await call('/golden-path/adoption', BEN);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      'The adoption map is for the platform team (the portal admins)',
    );
    expect((await call('/golden-path/repositories', BEN)).status).toBe(403);
    const bad = async (url: string) =>
      (await call(url, GRACE)).body.error?.message;
    expect(await bad('/golden-path/repositories?pipeline=jenkins')).toBe(
      'pipeline must be one of golden-path, custom, none',
    );
    expect(
      await bad(`/golden-path/repositories?search=${'x'.repeat(101)}`),
    ).toBe('search is longer than 100 characters');
    expect(await bad('/golden-path/adoption?x=1')).toBe(
      'unknown query parameter "x" (this route takes none)',
    );
    expect(
      (await call('/golden-path/adoption', mockCredentials.none.header()))
        .status,
    ).toBe(401);
  });
});
