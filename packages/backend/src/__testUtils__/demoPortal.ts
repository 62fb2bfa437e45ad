/*
 * The portal's sign-in and permission stack for backend tests: the real
 * catalog loads the demo organisation from catalog/, people sign in through
 * the demo provider and get real Backstage tokens, and the portal's own
 * policy decides. Tests add the plugins they exercise.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { userInfoServiceFactory } from '@backstage/backend-defaults/userInfo';
import authPlugin from '@backstage/plugin-auth-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import demoProviderModule from '@portal/plugin-auth-backend-module-demo-provider';
import groupOwnershipModule from '@portal/plugin-auth-backend-module-group-ownership';
import portalPolicyModule from '@portal/plugin-permission-backend-module-portal-policy';
import { JsonObject } from '@backstage/types';
import path from 'node:path';
import request from 'supertest';

export const repoRoot = path.resolve(__dirname, '../../../..');

type Feature = Parameters<typeof startTestBackend>[0]['features'] extends
  | Array<infer F>
  | undefined
  ? F
  : never;

/** A running demo portal and a way to act as one of its people. */
export interface DemoPortal {
  server: Awaited<ReturnType<typeof startTestBackend>>['server'];
  /** A bearer header for a demo user, signed in once per portal. */
  as(userName: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the sign-in and permission stack with `features` on `database`,
 * and waits until the demo organisation and its components are in the
 * catalog. `config` is merged over the defaults (one level deep).
 */
export async function startDemoPortal(options: {
  features: Feature[];
  database: JsonObject;
  config?: JsonObject;
}): Promise<DemoPortal> {
  const config: JsonObject = {
    app: { baseUrl: 'http://localhost:3000' },
    backend: { database: options.database },
    auth: { providers: { demo: {} } },
    permission: {
      enabled: true,
      portalPolicy: {
        admins: ['group:default/team-platform'],
        security: ['group:default/security'],
        finance: ['group:default/finance'],
        business: ['group:default/business'],
      },
    },
    // The repository's price list (the config's default is relative to
    // the working directory, which differs between test runners).
    goldenPath: {
      iac: { sizesFile: path.join(repoRoot, 'templates/iac/sizes.yaml') },
    },
    catalog: {
      rules: [{ allow: ['Component', 'System', 'API', 'Resource'] }],
      locations: [
        {
          type: 'file',
          target: path.join(repoRoot, 'catalog/all.yaml'),
          rules: [
            {
              allow: [
                'Component',
                'System',
                'API',
                'Resource',
                'Location',
                'Group',
                'User',
                'Domain',
              ],
            },
          ],
        },
      ],
    },
  };
  for (const [key, value] of Object.entries(options.config ?? {})) {
    const current = config[key];
    config[key] =
      current && typeof current === 'object' && !Array.isArray(current)
        ? { ...(current as JsonObject), ...(value as JsonObject) }
        : value;
  }

  const backend = await startTestBackend({
    features: [
      authPlugin,
      demoProviderModule,
      groupOwnershipModule,
      catalogPlugin,
      permissionPlugin,
      portalPolicyModule,
      authServiceFactory,
      httpAuthServiceFactory,
      userInfoServiceFactory,
      mockServices.rootConfig.factory({ data: config }),
      ...options.features,
    ],
  });
  const server = backend.server;
  const tokens = new Map<string, string>();

  async function as(userName: string) {
    if (!tokens.has(userName)) {
      const res = await request(server)
        .get('/api/auth/demo/refresh')
        .set('x-requested-with', 'XMLHttpRequest')
        .set('x-demo-user', userName);
      if (res.status !== 200) {
        throw new Error(`${userName} could not sign in: ${res.status}`);
      }
      tokens.set(userName, res.body.backstageIdentity.token);
    }
    return `Bearer ${tokens.get(userName)}`;
  }

  // The demo organisation is processed in the background: wait until the
  // last users and the components have arrived.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const list = await request(server).get('/api/auth/demo/start');
    const users = list.status === 200 ? list.body.items.length : 0;
    if (users >= 12) {
      const probe = await request(server)
        .get('/api/catalog/entities/by-name/component/default/search-service')
        .set('authorization', await as('grace-liu'));
      if (probe.status === 200) break;
    }
    if (Date.now() > deadline) {
      throw new Error(`the demo catalog did not load (${list.status})`);
    }
    await new Promise(r => setTimeout(r, 500));
  }

  return { server, as, stop: () => backend.stop() };
}

/**
 * The databases backend tests run on: in-memory SQLite, and the PostgreSQL
 * server `./portal test` starts when it names one (PORTAL_TEST_POSTGRES).
 */
export function testDatabases(): Array<[string, JsonObject]> {
  const required = process.env.PORTAL_TEST_POSTGRES;
  const postgresUrl =
    required &&
    process.env[
      `BACKSTAGE_TEST_DATABASE_${required.replace('_', '')}_CONNECTION_STRING`
    ];
  const targets: Array<[string, JsonObject]> = [
    ['SQLite', { client: 'better-sqlite3', connection: ':memory:' }],
  ];
  if (postgresUrl) {
    targets.push([
      'PostgreSQL',
      {
        client: 'pg',
        connection: postgresUrl,
        prefix: `portal_test_${process.pid}_${Date.now()}_`,
      },
    ]);
  }
  return targets;
}
