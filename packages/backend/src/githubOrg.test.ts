/*
 * Production's organisation sync and sign-in against GitHub's answers served
 * locally (fixtures/github, written after GitHub's documented APIs): the real
 * catalog with Backstage's GitHub org module and the portal's organisation
 * root loads people and teams across pages, the portal's ownership service walks
 * the team tree, and a GitHub sign-in (the OAuth flow of the GitHub provider,
 * production's resolver) yields the person's catalog User with their teams'
 * ownership.
 *
 * One file (above 500 lines): the sync and the sign-in share one catalog
 * started against the recorded GitHub answers; splitting them would start
 * it twice.
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
  RELATION_OWNED_BY,
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
import {
  OwnershipService,
  ownershipServiceRef,
} from '@portal/catalog-ownership';
import groupOwnershipModule from '@portal/plugin-auth-backend-module-group-ownership';
import { JsonObject } from '@backstage/types';
import path from 'node:path';
import request from 'supertest';
import githubOrgTreeModule from './githubOrgTree';
import {
  ORG,
  signInWithGithub,
  startFakeGithub,
  TOKEN,
} from './__testUtils__/fakeGithub';

const repoRoot = path.resolve(__dirname, '../../..');
const PAGE_SIZES = { organizationMembers: 3, teams: 3, teamMembers: 2 };

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
  let hierarchy: OwnershipService;
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
    const discovery = production.getConfig('catalog.providers.github');

    // A plugin that only hands the test the catalog and service credentials,
    // as the portal's own plugins get them.
    const probe = createBackendPlugin({
      pluginId: 'probe',
      register(reg) {
        reg.registerInit({
          deps: {
            catalogApi: catalogServiceRef,
            auth: coreServices.auth,
            ownership: ownershipServiceRef,
          },
          async init({ catalogApi, auth, ownership }) {
            catalog = catalogApi;
            hierarchy = ownership;
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
                // Production's repository discovery, with small pages.
                github: {
                  production: {
                    ...(discovery.get('production') as JsonObject),
                    pageSizes: { repositories: 3 },
                    schedule: {
                      frequency: { minutes: 30 },
                      timeout: { minutes: 5 },
                    },
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
      const payments = await byRef('component:default/payments-api');
      if (
        relations(lin, RELATION_MEMBER_OF).length === 3 &&
        relations(root, RELATION_PARENT_OF).length === 2 &&
        relations(payments, RELATION_OWNED_BY).length === 1
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

  it("gives the portal's ownership service a department with its sub-teams", async () => {
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

  it("discovers the organisation's repositories with a catalog-info.yaml: active ones, not archived ones or forks", async () => {
    const discovery = github.graphql.filter(
      c => c.operation === 'repositories',
    );
    expect(discovery.map(c => c.variables.cursor ?? null)).toEqual([
      null,
      'Y3Vyc29yOnYyOpHOBrepo3',
    ]);
    // The file at the root of each default branch.
    expect(discovery[0].variables.catalogPathRef).toBe(
      'HEAD:catalog-info.yaml',
    );

    const { items } = await catalog.getEntities(
      { filter: { kind: 'component' } },
      { credentials: await credentials() },
    );
    expect(items.map(c => c.metadata.name).sort()).toEqual([
      'checkout-service',
      'payments-api',
    ]);
    // A repository without the file is asked for it once, and adds nothing.
    expect(github.contents.map(c => c.repo)).toContain(
      'acme-commerce/docs-site',
    );
    // Read with the integration token, at each repository's default branch.
    expect(
      github.contents.map(c => [c.repo, c.ref, c.authorization]).sort(),
    ).toEqual(
      expect.arrayContaining([
        ['acme-commerce/checkout-service', 'main', `Bearer ${TOKEN}`],
        ['acme-commerce/payments-api', 'trunk', `Bearer ${TOKEN}`],
      ]),
    );
    expect(github.contents.map(c => c.repo)).not.toContain(
      'acme-commerce/legacy-monolith',
    );
    expect(github.contents.map(c => c.repo)).not.toContain(
      'acme-commerce/forked-lib',
    );

    // Owned by the teams the organisation sync loaded: what the portal's
    // ownership (and so every tab) keys on.
    const payments = await byRef('component:default/payments-api');
    expect(relations(payments, RELATION_OWNED_BY)).toEqual([
      'group:default/checkout-payments',
    ]);
    expect(payments?.metadata.annotations).toEqual(
      expect.objectContaining({
        'backstage.io/managed-by-origin-location':
          'url:https://github.com/acme-commerce/payments-api/blob/trunk/catalog-info.yaml',
      }),
    );
    expect(
      (await hierarchy.withDescendants(['group:default/checkout'])).sort(),
    ).toEqual(['group:default/checkout', 'group:default/checkout-payments']);
  });

  it("refuses a repository's catalog-info.yaml that declares a Group: people and teams come only from the organisation", async () => {
    expect(await byRef('group:default/security-admins')).toBeUndefined();
    expect(
      relations(await byRef('user:default/jonas-berg'), RELATION_MEMBER_OF),
    ).toEqual(['group:default/security']);
    // The file was read, and refused as a whole (its Component too) until
    // it is fixed: the catalog records the error on the location's
    // processing state and logs it.
    expect(github.contents.map(c => c.repo)).toContain(
      'acme-commerce/team-roster',
    );
    expect(await byRef('component:default/team-roster')).toBeUndefined();
  });

  describe('GitHub sign-in (the production resolver)', () => {
    /** GitHub's OAuth dance for a person who authorises the app. */
    async function signInAs(login: string) {
      const signIn = await signInWithGithub({
        portal: server,
        githubUrl: github.url,
        login,
      });
      expect(signIn.authorizeUrl).toBe(signIn.expectedAuthorizeUrl);
      expect(signIn.authorize.searchParams.get('client_id')).toBe('client-id');
      return signIn;
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
