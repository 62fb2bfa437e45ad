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
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
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
    // Every plugin reads the group tree afresh: a tree cached while the
    // catalog was still loading would otherwise be served for 30 seconds.
    ownership: { groupTreeMaxAge: { seconds: 0 } },
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

  // The demo organisation is processed in the background: wait until every
  // entity of the demo files is in the catalog with both sides of its
  // group relations stitched, then forget the tokens issued meanwhile (their
  // ownership was read from a catalog still loading).
  const expected = demoCatalogExpectations();
  const deadline = Date.now() + 90_000;
  for (;;) {
    const list = await request(server).get('/api/auth/demo/start');
    const canAsk =
      list.status === 200 &&
      list.body.items.some((u: { name: string }) => u.name === 'grace-liu');
    const missing = canAsk
      ? await unsettled(server, await as('grace-liu'), expected)
      : ['user:default/grace-liu'];
    if (missing.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(
        `the demo catalog did not load (${list.status}; still missing: ${missing
          .slice(0, 5)
          .join(', ')})`,
      );
    }
    tokens.clear();
    await new Promise(r => setTimeout(r, 500));
  }
  tokens.clear();

  return { server, as, stop: () => backend.stop() };
}

interface DemoCatalogExpectations {
  /** Every entity the demo files declare. */
  refs: string[];
  /** Relations that exist only once both of their entities are stitched. */
  relations: Array<{ source: string; type: string; target: string }>;
}

/** What the demo catalog holds once it has loaded, read from its files. */
function demoCatalogExpectations(): DemoCatalogExpectations {
  const dir = path.join(repoRoot, 'catalog');
  const refs: string[] = [];
  const relations: DemoCatalogExpectations['relations'] = [];
  const ref = (kind: string, name: string) =>
    `${kind.toLowerCase()}:default/${name.toLowerCase()}`;
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml'))) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const doc of yaml.parseAllDocuments(text)) {
      const entity = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string };
        spec?: { parent?: string; memberOf?: string[] };
      } | null;
      if (!entity?.kind || !entity.metadata?.name) continue;
      const self = ref(entity.kind, entity.metadata.name);
      refs.push(self);
      if (entity.kind === 'Group' && entity.spec?.parent) {
        const parent = ref('group', entity.spec.parent);
        relations.push({ source: parent, type: 'parentOf', target: self });
      }
      if (entity.kind === 'User') {
        for (const group of entity.spec?.memberOf ?? []) {
          const target = ref('group', group);
          relations.push({ source: target, type: 'hasMember', target: self });
        }
      }
    }
  }
  return { refs, relations };
}

/** What of `expected` the catalog does not show yet (empty once loaded). */
async function unsettled(
  server: DemoPortal['server'],
  authorization: string,
  expected: DemoCatalogExpectations,
): Promise<string[]> {
  const res = await request(server)
    .post('/api/catalog/entities/by-refs')
    .set('authorization', authorization)
    .send({
      entityRefs: expected.refs,
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'relations'],
    });
  if (res.status !== 200) return [`the catalog (${res.status})`];
  const found = new Map<string, Array<{ type: string; targetRef: string }>>();
  for (const entity of res.body.items as Array<Record<string, any> | null>) {
    if (!entity) continue;
    const self = `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${
      entity.metadata.name
    }`.toLowerCase();
    found.set(self, entity.relations ?? []);
  }
  const missing = expected.refs.filter(r => !found.has(r));
  for (const { source, type, target } of expected.relations) {
    const has = (found.get(source) ?? []).some(
      r => r.type === type && r.targetRef.toLowerCase() === target,
    );
    if (!has) missing.push(`${source} ${type} ${target}`);
  }
  return missing;
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
