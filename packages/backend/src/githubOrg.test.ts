/*
 * Production's organisation sync and sign-in against GitHub's answers served
 * locally (fixtures/github, written after GitHub's documented APIs): the real
 * catalog with Backstage's GitHub org module and the portal's organisation
 * root loads people and teams across pages, the portal's GroupHierarchy walks
 * the team tree, and a GitHub sign-in (the OAuth flow of the GitHub provider,
 * production's resolver) yields the person's catalog User with their teams'
 * ownership.
 */
import {
  BackstageCredentials,
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import { ConfigSources } from '@backstage/config-loader';
import {
  Entity,
  GroupEntity,
  RELATION_CHILD_OF,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
  RELATION_PARENT_OF,
  UserEntity,
} from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import githubProviderModule from '@backstage/plugin-auth-backend-module-github-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import githubCatalogModule from '@backstage/plugin-catalog-backend-module-github';
import githubOrgModule from '@backstage/plugin-catalog-backend-module-github-org';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { GroupHierarchy } from '@portal/catalog-ownership';
import groupOwnershipModule from '@portal/plugin-auth-backend-module-group-ownership';
import { JsonObject } from '@backstage/types';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import githubOrgTreeModule from './githubOrgTree';

const repoRoot = path.resolve(__dirname, '../../..');
const fixtures = path.join(repoRoot, 'fixtures/github');
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

const ORG = 'acme-commerce';
const TOKEN = 'ghp_recordedIntegrationToken';
const PAGE_SIZES = { organizationMembers: 3, teams: 3, teamMembers: 2 };

interface GraphqlCall {
  path: string;
  operation: string;
  variables: Record<string, unknown>;
  authorization?: string;
  status?: number;
}

/**
 * GitHub as far as the portal talks to it: GraphQL for the organisation
 * (answered from the fixtures by operation and cursor) and the OAuth app's
 * endpoints for sign-in (code -> token -> GET /user).
 */
async function startFakeGithub() {
  const graphql: GraphqlCall[] = [];
  const pages: Record<string, string[]> = {
    users: ['org-members.page1.json', 'org-members.page2.json'],
    teams: ['org-teams.page1.json', 'org-teams.page2.json'],
    'members:checkout': [
      'team-members.checkout.page1.json',
      'team-members.checkout.page2.json',
    ],
  };
  // An access token per person who "authorised the OAuth app".
  const tokens = new Map<string, string>();

  const answer = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    type = 'application/json; charset=utf-8',
  ) => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const onGraphql = (req: http.IncomingMessage, body: string) => {
    const { query, variables = {} } = JSON.parse(body);
    const operation = /query\s+(\w+)/.exec(query)?.[1] ?? '';
    graphql.push({
      path: req.url ?? '',
      operation,
      variables,
      authorization: req.headers.authorization,
    });
    // GitHub takes a token as `Bearer` or `token`.
    if (
      !/^(Bearer|token) /.test(req.headers.authorization ?? '') ||
      req.headers.authorization?.split(' ')[1] !== TOKEN
    ) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    if (variables.org !== ORG) {
      return {
        status: 200,
        body: {
          data: { organization: null },
          errors: [
            {
              type: 'NOT_FOUND',
              path: ['organization'],
              message: `Could not resolve to an Organization with the login of '${variables.org}'.`,
            },
          ],
        },
      };
    }
    const key =
      operation === 'members' ? `members:${variables.teamSlug}` : operation;
    const files = pages[key];
    if (!files) {
      return {
        status: 200,
        body: { errors: [{ message: `no recorded answer for ${key}` }] },
      };
    }
    // Page n+1 is asked for with the endCursor of page n.
    let index = 0;
    if (variables.cursor) {
      index = files.findIndex(
        (_, i) =>
          i > 0 &&
          JSON.stringify(fixture(files[i - 1])).includes(
            `"endCursor":"${variables.cursor}"`,
          ),
      );
    }
    if (index < 0) {
      return {
        status: 200,
        body: { errors: [{ message: `unknown cursor ${variables.cursor}` }] },
      };
    }
    return { status: 200, body: fixture(files[index]) };
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://github.local');
      if (req.method === 'POST' && /^(\/api)?\/graphql$/.test(url.pathname)) {
        const { status, body: out } = onGraphql(req, body);
        graphql[graphql.length - 1].status = status;
        answer(res, status, out);
      } else if (
        req.method === 'POST' &&
        url.pathname === '/login/oauth/access_token'
      ) {
        // GitHub answers the OAuth app's code exchange form-encoded.
        const form = new URLSearchParams(body);
        const login = /^code-for-(.+)$/.exec(form.get('code') ?? '')?.[1];
        if (!login || form.get('client_id') !== 'client-id') {
          answer(
            res,
            200,
            'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.',
            'application/x-www-form-urlencoded; charset=utf-8',
          );
          return;
        }
        const token = `gho_${login.replace(/-/g, '')}0000000000`;
        tokens.set(token, login);
        answer(
          res,
          200,
          `access_token=${token}&scope=read%3Auser&token_type=bearer`,
          'application/x-www-form-urlencoded; charset=utf-8',
        );
      } else if (req.method === 'GET' && url.pathname === '/api/v3/user') {
        const token = (req.headers.authorization ?? '').split(' ')[1];
        const login = tokens.get(token);
        if (!login) {
          answer(res, 401, {
            message: 'Bad credentials',
            documentation_url: 'https://docs.github.com/rest',
          });
          return;
        }
        answer(res, 200, fixture(`user.${login}.json`));
      } else {
        answer(res, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    graphql,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** app-config.production.yaml as production reads it. */
async function productionConfig() {
  const source = ConfigSources.default({
    rootDir: repoRoot,
    argv: ['app-config.yaml', 'app-config.production.yaml'].flatMap(f => [
      '--config',
      path.join(repoRoot, f),
    ]),
    env: {},
    substitutionFunc: async name =>
      ({ GITHUB_ORG: ORG, GITHUB_TOKEN: TOKEN }[name] ?? `unset-${name}`),
  });
  const config = await ConfigSources.toConfig(source);
  config.close();
  return config;
}

describe('GitHub organisation sync and sign-in, against recorded GitHub answers', () => {
  let github: Awaited<ReturnType<typeof startFakeGithub>>;
  let server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  let catalog: CatalogService;
  let hierarchy: GroupHierarchy;
  let credentials: () => Promise<BackstageCredentials>;

  const byRef = async <T extends Entity>(ref: string) =>
    (await catalog.getEntityByRef(ref, {
      credentials: await credentials(),
    })) as T | undefined;
  const relations = (entity: Entity | undefined, type: string) =>
    (entity?.relations ?? [])
      .filter(r => r.type === type)
      .map(r => r.targetRef)
      .sort();

  beforeAll(async () => {
    github = await startFakeGithub();
    const production = await productionConfig();
    const githubOrg = production.getConfig('catalog.providers.githubOrg');

    // A plugin that only hands the test the catalog and service credentials,
    // as the portal's own plugins get them.
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(reg) {
        reg.registerInit({
          deps: { catalogApi: catalogServiceRef, auth: coreServices.auth },
          async init({ catalogApi, auth }) {
            catalog = catalogApi;
            hierarchy = new GroupHierarchy(catalogApi, auth);
            credentials = () => auth.getOwnServiceCredentials();
          },
        });
      },
    });

    const database: JsonObject = {
      client: 'better-sqlite3',
      connection: ':memory:',
    };
    const backend = await startTestBackend({
      features: [
        authPlugin,
        githubProviderModule,
        groupOwnershipModule,
        catalogPlugin,
        githubOrgModule,
        githubOrgTreeModule,
        githubCatalogModule,
        probe,
        authServiceFactory,
        httpAuthServiceFactory,
        userInfoServiceFactory,
        schedulerServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: { database },
            // Production's GitHub integration, with GitHub's API here.
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: `${github.url}/api/v3`,
                  token: TOKEN,
                },
              ],
            },
            auth: {
              environment: 'production',
              session: { secret: 'test-session-secret' },
              providers: {
                github: {
                  production: {
                    clientId: 'client-id',
                    clientSecret: 'client-secret',
                    // GitHub's OAuth endpoints and /user, here.
                    enterpriseInstanceUrl: github.url,
                    signIn: production.get(
                      'auth.providers.github.production.signIn',
                    ),
                  },
                },
              },
            },
            catalog: {
              rules: production.get('catalog.rules'),
              providers: {
                githubOrg: {
                  ...(githubOrg.get() as JsonObject),
                  // Small pages, so that every connection has two; and no
                  // start-up delay.
                  pageSizes: PAGE_SIZES,
                  schedule: {
                    frequency: { minutes: 30 },
                    timeout: { minutes: 5 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;

    // The provider reads GitHub on its schedule; the catalog then processes
    // and stitches. Wait for the last relations to appear.
    const deadline = Date.now() + 100_000;
    for (;;) {
      const lin = await byRef<UserEntity>('user:default/lin-chen');
      const root = await byRef<GroupEntity>('group:default/acme-commerce');
      if (
        relations(lin, RELATION_MEMBER_OF).length === 3 &&
        relations(root, RELATION_PARENT_OF).length === 2
      ) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the organisation did not load; GitHub was asked ${JSON.stringify(
            github.graphql.map(c => [c.operation, c.status, c.authorization]),
          )}`,
        );
      }
      await new Promise(r => setTimeout(r, 500));
    }
  }, 150_000);

  afterAll(async () => {
    await server?.close();
    await github?.close();
  });

  it('reads every page of members, teams and team members, with the integration token', () => {
    const asked = github.graphql.map(c => [
      c.operation,
      c.variables.teamSlug ?? null,
      c.variables.cursor ?? null,
    ]);
    expect(asked).toEqual(
      expect.arrayContaining([
        ['users', null, null],
        ['users', null, 'Y3Vyc29yOnYyOpHOB3UQ4w=='],
        ['teams', null, null],
        ['teams', null, 'Y3Vyc29yOnYyOpLNFFEA'],
        ['members', 'checkout', null],
        ['members', 'checkout', 'Y3Vyc29yOnYyOpHOB3URAg=='],
      ]),
    );
    for (const call of github.graphql) {
      expect(call.authorization).toBe(`Bearer ${TOKEN}`);
      expect(call.variables.org).toBe(ORG);
      // GitHub Enterprise's layout: /api/v3 for REST, /api/graphql.
      expect(call.path).toBe('/api/graphql');
    }
    const users = github.graphql.find(c => c.operation === 'users')!;
    expect(users.variables.organizationMembersPageSize).toBe(3);
    // A token (not an App) may read public emails.
    expect(users.variables.email).toBe(true);
  });

  it('loads every member as a User named by their GitHub login', async () => {
    const { items } = await catalog.getEntities(
      { filter: { kind: 'user' } },
      { credentials: await credentials() },
    );
    expect(items.map(u => u.metadata.name).sort()).toEqual([
      'ana-silva',
      'ben-okafor',
      'jonas-berg',
      'lin-chen',
      'maya-patel',
    ]);
    const maya = await byRef<UserEntity>('user:default/maya-patel');
    expect(maya?.spec.profile).toEqual({
      displayName: 'Maya Patel',
      email: 'maya.patel@acme.example',
      picture: 'https://avatars.githubusercontent.com/u/1000005?v=4',
    });
    expect(maya?.metadata.annotations).toEqual(
      expect.objectContaining({
        'github.com/user-login': 'maya-patel',
        'github.com/user-id': 'U_kgDOBx1RVQ',
        'backstage.io/managed-by-location': 'url:https://github.com/maya-patel',
      }),
    );
    // No name on GitHub: no display name, the login stands.
    const lin = await byRef<UserEntity>('user:default/lin-chen');
    expect(lin?.spec.profile?.displayName).toBeUndefined();
  });

  it('loads the teams as Groups, each under its parent team, top-level teams under the organisation', async () => {
    const { items } = await catalog.getEntities(
      { filter: { kind: 'group' } },
      { credentials: await credentials() },
    );
    const parents = Object.fromEntries(
      (items as GroupEntity[]).map(g => [
        g.metadata.name,
        [g.spec.type, g.spec.parent ?? null],
      ]),
    );
    expect(parents).toEqual({
      'acme-commerce': ['organization', null],
      engineering: ['team', 'acme-commerce'],
      checkout: ['team', 'engineering'],
      'checkout-payments': ['team', 'checkout'],
      platform: ['team', 'engineering'],
      security: ['team', 'acme-commerce'],
      appsec: ['team', 'security'],
    });

    // The nested team's parent, as relations in both directions.
    const payments = await byRef('group:default/checkout-payments');
    expect(relations(payments, RELATION_CHILD_OF)).toEqual([
      'group:default/checkout',
    ]);
    const checkout = await byRef<GroupEntity>('group:default/checkout');
    expect(relations(checkout, RELATION_PARENT_OF)).toEqual([
      'group:default/checkout-payments',
    ]);
    expect(relations(checkout, RELATION_CHILD_OF)).toEqual([
      'group:default/engineering',
    ]);
    expect(checkout?.spec.profile?.displayName).toBe('Checkout');
    expect(checkout?.metadata.description).toBe('Cart, checkout and payments.');
    const root = await byRef('group:default/acme-commerce');
    expect(relations(root, RELATION_PARENT_OF)).toEqual([
      'group:default/engineering',
      'group:default/security',
    ]);
  });

  it('records memberships on both sides, including members read from a second page', async () => {
    const checkout = await byRef('group:default/checkout');
    expect(relations(checkout, RELATION_HAS_MEMBER)).toEqual([
      'user:default/ana-silva',
      'user:default/ben-okafor',
      'user:default/lin-chen',
    ]);
    expect(
      relations(await byRef('user:default/lin-chen'), RELATION_MEMBER_OF),
    ).toEqual([
      'group:default/checkout',
      'group:default/checkout-payments',
      'group:default/platform',
    ]);
    expect(
      relations(await byRef('user:default/ana-silva'), RELATION_MEMBER_OF),
    ).toEqual(['group:default/appsec', 'group:default/checkout']);
    expect(
      relations(await byRef('user:default/maya-patel'), RELATION_MEMBER_OF),
    ).toEqual(['group:default/engineering']);
  });

  it("gives the portal's GroupHierarchy a department with its sub-teams", async () => {
    expect(
      (await hierarchy.withDescendants(['group:default/engineering'])).sort(),
    ).toEqual([
      'group:default/checkout',
      'group:default/checkout-payments',
      'group:default/engineering',
      'group:default/platform',
    ]);
    const tree = await hierarchy.tree();
    expect(tree.roots().map(r => r.ref)).toEqual([
      'group:default/acme-commerce',
    ]);
    // The department of a team is the top-level team above it.
    expect(tree.departmentOf('group:default/checkout-payments')).toBe(
      'group:default/engineering',
    );
    expect(tree.departmentOf('group:default/appsec')).toBe(
      'group:default/security',
    );
    // A member of appsec is in security for the portal's roles.
    expect(
      (await hierarchy.roleGroupsOf('user:default/ana-silva')).sort(),
    ).toEqual([
      'group:default/acme-commerce',
      'group:default/appsec',
      'group:default/checkout',
      'group:default/engineering',
      'group:default/security',
    ]);
  });

  describe('GitHub sign-in (the production resolver)', () => {
    /** The cookies a browser would keep (a Max-Age=0 cookie is a removal). */
    const cookiesOf = (res: request.Response) =>
      ((res.headers['set-cookie'] as unknown as string[]) ?? [])
        .filter(c => !/;\s*Max-Age=0(;|$)/i.test(c))
        .map(c => c.split(';')[0]);
    /** The response the sign-in popup posts to the app. */
    const popupMessage = (html: string) => {
      const encoded = /decodeURIComponent\('([^']*)'\)/.exec(html)?.[1];
      return JSON.parse(decodeURIComponent(encoded ?? 'null'));
    };

    /** GitHub's OAuth dance for a person who authorises the app. */
    async function signInAs(login: string) {
      const start = await request(server).get('/api/auth/github/start').query({
        env: 'production',
        scope: 'read:user',
        origin: 'http://localhost:3000',
      });
      expect(start.status).toBe(302);
      const authorize = new URL(start.headers.location);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(
        `${github.url}/login/oauth/authorize`,
      );
      expect(authorize.searchParams.get('client_id')).toBe('client-id');
      // GitHub sends the person back with a code and the state.
      const frame = await request(server)
        .get('/api/auth/github/handler/frame')
        .query({
          code: `code-for-${login}`,
          state: authorize.searchParams.get('state'),
        })
        .set('cookie', cookiesOf(start).join('; '));
      return {
        frame,
        message: popupMessage(frame.text),
        cookies: cookiesOf(frame),
      };
    }

    it('resolves a GitHub login to its catalog User, owning their teams and the teams below them', async () => {
      const { frame, message, cookies } = await signInAs('maya-patel');
      expect(frame.status).toBe(200);
      expect(message.type).toBe('authorization_response');
      const { identity } = message.response.backstageIdentity;
      expect(identity.userEntityRef).toBe('user:default/maya-patel');
      expect([...identity.ownershipEntityRefs].sort()).toEqual([
        'group:default/checkout',
        'group:default/checkout-payments',
        'group:default/engineering',
        'group:default/platform',
        'user:default/maya-patel',
      ]);
      expect(message.response.profile.displayName).toBe('Maya Patel');

      // The session goes on: a refresh reads /user again and resolves anew.
      const refresh = await request(server)
        .get('/api/auth/github/refresh')
        .query({ env: 'production' })
        .set('x-requested-with', 'XMLHttpRequest')
        .set('cookie', cookies.join('; '));
      expect(refresh.status).toBe(200);
      expect(refresh.body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/maya-patel',
      );
      // The token is accepted by the backend as that person.
      const me = await request(server)
        .get('/api/catalog/entities/by-name/user/default/maya-patel')
        .set('authorization', `Bearer ${refresh.body.backstageIdentity.token}`);
      expect(me.status).toBe(200);
    });

    it("refuses an account that took a member's old login: sign-in matches the permanent user id", async () => {
      // GitHub lets a renamed login be taken by someone else: this account
      // is called maya-patel but is not the member the sync loaded.
      const { message } = await signInAs('maya-impostor');
      expect(message.type).toBe('authorization_response');
      expect(message.response).toBeUndefined();
      expect(message.error.message).toMatch(/unable to resolve user identity/i);
    });

    it('refuses a GitHub account that has no User in the catalog', async () => {
      const { message, cookies } = await signInAs('sam-outsider');
      expect(message.type).toBe('authorization_response');
      expect(message.response).toBeUndefined();
      expect(message.error.message).toMatch(/unable to resolve user identity/i);
      expect(cookies.some(c => c.startsWith('github-refresh-token='))).toBe(
        false,
      );
    });
  });
});
