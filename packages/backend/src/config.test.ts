/*
 * The configuration files as the running portal reads them: the embedded
 * default on its own, and production on top of it with its environment.
 */
import { ConfigSources } from '@backstage/config-loader';
import { readHttpServerOptions } from '@backstage/backend-defaults/rootHttpRouter';
import { readPortalPolicyOptions } from '@portal/plugin-permission-backend-module-portal-policy';
import fs from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../..');

async function load(files: string[], env: Record<string, string>) {
  const source = ConfigSources.default({
    rootDir: repoRoot,
    argv: files.flatMap(f => ['--config', path.join(repoRoot, f)]),
    env: {},
    substitutionFunc: async name => env[name],
  });
  const config = await ConfigSources.toConfig(source);
  config.close();
  return config;
}

const productionEnv = {
  PORTAL_BASE_URL: 'https://portal.acme.example',
  POSTGRES_HOST: 'db.internal',
  POSTGRES_PORT: '5432',
  POSTGRES_USER: 'backstage',
  POSTGRES_PASSWORD: 'secret-pw',
  REDIS_URL: 'redis://cache.internal:6379',
  GITHUB_TOKEN: 'ghp_example',
  AUTH_SESSION_SECRET: 'session-secret',
  AUTH_GITHUB_CLIENT_ID: 'client-id',
  AUTH_GITHUB_CLIENT_SECRET: 'client-secret',
};

describe('app-config.yaml (the embedded default)', () => {
  it('keeps data in SQLite files under the data folder, or PORTAL_DATA_DIR', async () => {
    const config = await load(['app-config.yaml'], {});
    expect(config.getString('backend.database.client')).toBe('better-sqlite3');
    expect(config.getString('backend.database.connection.directory')).toBe(
      '../../data/sqlite',
    );
    const moved = await load(['app-config.yaml'], {
      PORTAL_DATA_DIR: '/srv/portal',
    });
    expect(moved.getString('backend.database.connection.directory')).toBe(
      '/srv/portal/sqlite',
    );
  });

  it('offers the demo sign-in and keeps permissions on', async () => {
    const config = await load(['app-config.yaml'], {});
    expect(config.getString('app.signIn.provider')).toBe('demo');
    expect(config.getConfig('auth.providers').keys()).toEqual(['demo']);
    expect(config.getBoolean('permission.enabled')).toBe(true);
    expect(
      config.getOptionalBoolean(
        'backend.auth.dangerouslyDisableDefaultAuthPolicy',
      ),
    ).toBeUndefined();
  });

  it('listens on this machine only unless PORTAL_LISTEN_HOST says otherwise, backend and frontend', async () => {
    const config = await load(['app-config.yaml'], {});
    // As the backend reads it (backend-defaults' own reader).
    expect(readHttpServerOptions(config.getConfig('backend')).listen).toEqual({
      host: '127.0.0.1',
      port: 7007,
    });
    // As `yarn start`'s frontend dev server reads it (app.listen.host wins
    // over app.baseUrl's host).
    expect(config.getString('app.listen.host')).toBe('127.0.0.1');
    const open = await load(['app-config.yaml'], {
      PORTAL_LISTEN_HOST: '0.0.0.0',
    });
    expect(readHttpServerOptions(open.getConfig('backend')).listen.host).toBe(
      '0.0.0.0',
    );
    expect(open.getString('app.listen.host')).toBe('0.0.0.0');
  });

  it('imports KEV and EPSS from the excerpts in fixtures/, offline', async () => {
    const config = await load(['app-config.yaml'], {});
    const backendDir = path.join(repoRoot, 'packages/backend');
    for (const key of ['kevFile', 'epssFile']) {
      const file = config.getString(`secops.exploitability.${key}`);
      expect(fs.existsSync(path.resolve(backendDir, file))).toBe(true);
    }
    expect(config.getOptionalString('secops.exploitability.kevUrl')).toBe(
      undefined,
    );
  });

  it('reads nothing from GitHub', async () => {
    const config = await load(['app-config.yaml'], {});
    expect(config.getOptionalConfig('catalog.providers')).toBeUndefined();
  });
});

describe('app-config.production.yaml', () => {
  it('reads PostgreSQL, Redis, secrets and addresses from the environment', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    expect(config.getString('app.baseUrl')).toBe(productionEnv.PORTAL_BASE_URL);
    expect(config.getString('backend.baseUrl')).toBe(
      productionEnv.PORTAL_BASE_URL,
    );
    expect(config.getString('backend.database.client')).toBe('pg');
    expect(config.getConfig('backend.database.connection').get()).toEqual({
      host: 'db.internal',
      port: '5432',
      user: 'backstage',
      password: 'secret-pw',
    });
    expect(config.getString('backend.cache.store')).toBe('redis');
    expect(config.getString('backend.cache.connection')).toBe(
      productionEnv.REDIS_URL,
    );
    expect(
      config.getConfigArray('integrations.github')[0].getString('token'),
    ).toBe('ghp_example');
  });

  it('listens on every interface, in a form the backend can read over the default', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    // The backend reads backend.listen as one value: a string in one file
    // and an object in the other cannot be merged (the backend would not
    // start).
    expect(config.getOptional('backend.listen')).toMatchObject({
      host: '0.0.0.0',
      port: 7007,
    });
    // Containers need every interface, whatever the local default is.
    expect(readHttpServerOptions(config.getConfig('backend')).listen.host).toBe(
      '0.0.0.0',
    );
  });

  it('signs in with GitHub only, matched to catalog users', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    expect(config.getString('app.signIn.provider')).toBe('github');
    expect(config.getConfig('auth.providers').keys()).toEqual(['github']);
    expect(
      config.getConfig('auth.providers.github.production').get('signIn'),
    ).toEqual({
      resolvers: [{ resolver: 'userIdMatchingUserEntityAnnotation' }],
    });
    expect(config.getBoolean('permission.enabled')).toBe(true);
  });

  it('does not load the demo organisation', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    const targets = config
      .getConfigArray('catalog.locations')
      .map(l => l.getString('target'));
    expect(targets).toEqual([
      './catalog-info.yaml',
      './templates/golden-path/all.yaml',
    ]);
    expect(config.getConfigArray('goldenPath.local.seed')).toEqual([]);
    // No demo of any plugin: demo Prometheus, spend, reports.
    expect(config.getOptional('sre.demo')).toBeUndefined();
    expect(config.getOptionalBoolean('finops.demo')).toBe(false);
    expect(config.getConfigArray('secops.demoReports')).toEqual([]);
  });

  it("gives the portal's roles to the GitHub teams the environment names, never to the demo's group names", async () => {
    const files = ['app-config.yaml', 'app-config.production.yaml'];
    // The embedded default's groups (team-platform, security, finance,
    // business) are names any GitHub team could have.
    expect(readPortalPolicyOptions(await load(files, productionEnv))).toEqual({
      admins: [],
      security: [],
      finance: [],
      business: [],
    });
    const named = readPortalPolicyOptions(
      await load(files, {
        ...productionEnv,
        PORTAL_ADMIN_TEAM: 'platform',
        PORTAL_SECURITY_TEAM: 'AppSec',
        PORTAL_FINANCE_TEAM: 'finops',
        PORTAL_BUSINESS_TEAM: 'leadership',
      }),
    );
    expect(named).toEqual({
      admins: ['group:default/platform'],
      security: ['group:default/appsec'],
      finance: ['group:default/finops'],
      business: ['group:default/leadership'],
    });
  });

  it('loads people, teams and repositories from the GitHub organisation', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      { ...productionEnv, GITHUB_ORG: 'acme-commerce' },
    );
    const org = config.getConfig('catalog.providers.githubOrg');
    expect(org.getString('githubUrl')).toBe('https://github.com');
    expect(org.getStringArray('orgs')).toEqual(['acme-commerce']);
    expect(org.get('schedule')).toEqual(
      expect.objectContaining({ frequency: { minutes: 30 } }),
    );
    // The same host as the integration whose token reads the organisation.
    expect(
      config.getConfigArray('integrations.github')[0].getString('host'),
    ).toBe(new URL(org.getString('githubUrl')).host);
    const repos = config.getConfig('catalog.providers.github.production');
    expect(repos.getString('organization')).toBe('acme-commerce');
    expect(repos.getString('catalogPath')).toBe('/catalog-info.yaml');
    expect(repos.getBoolean('filters.allowForks')).toBe(false);
    expect(repos.getBoolean('filters.allowArchived')).toBe(false);
    expect(repos.has('schedule.frequency')).toBe(true);
  });

  it('lets no location declare Users or Groups', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    const kinds = (rules: ReturnType<typeof config.getConfigArray>) =>
      rules.flatMap(rule => rule.getStringArray('allow'));
    const global = kinds(config.getConfigArray('catalog.rules'));
    expect(global).toEqual(
      expect.arrayContaining(['Component', 'System', 'API', 'Resource']),
    );
    const perLocation = config
      .getConfigArray('catalog.locations')
      .flatMap(l => kinds(l.getOptionalConfigArray('rules') ?? []));
    for (const kind of [...global, ...perLocation]) {
      expect(['User', 'Group']).not.toContain(kind);
    }
  });

  it('imports KEV and EPSS from their published URLs, not the excerpts', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    const exploitability = config.getConfig('secops.exploitability');
    expect(exploitability.getOptionalString('kevFile')).toBeUndefined();
    expect(exploitability.getOptionalString('epssFile')).toBeUndefined();
    expect(exploitability.getOptionalBoolean('enabled')).not.toBe(false);
  });

  it('publishes golden paths to GitHub, and locally by default', async () => {
    const production = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      productionEnv,
    );
    const local = await load(['app-config.yaml'], {});
    const target = (c: typeof local) =>
      c.getString('scaffolder.defaultEnvironment.parameters.publishTarget');
    expect(target(production)).toBe('github');
    expect(target(local)).toBe('local');
  });
});

describe('machine identities', () => {
  it('production takes CI tokens only from GitHub Actions OIDC, pinned and bound to its organisation', async () => {
    const config = await load(
      ['app-config.yaml', 'app-config.production.yaml'],
      { ...productionEnv, GITHUB_ORG: 'acme-commerce' },
    );
    const access = config.getConfigArray('backend.auth.externalAccess');
    expect(access.map(a => a.getString('type'))).toEqual(['jwks']);
    const jwks = access[0].getConfig('options');
    expect(jwks.getString('issuer')).toBe(
      'https://token.actions.githubusercontent.com',
    );
    expect(jwks.getString('audience')).toBe('acme-developer-portal');
    expect(jwks.getString('subjectPrefix')).toBe('github-actions');
    const ci = config.getConfigArray('machineIdentity.ci');
    expect(ci.map(c => c.getStringArray('owners'))).toEqual([
      ['acme-commerce'],
    ]);
  });

  it('every external token, local or production, is restricted to a plugin', async () => {
    for (const files of [
      ['app-config.yaml'],
      ['app-config.yaml', 'app-config.production.yaml'],
    ]) {
      const config = await load(files, productionEnv);
      for (const entry of config.getConfigArray(
        'backend.auth.externalAccess',
      )) {
        expect(
          entry.getConfigArray('accessRestrictions').length,
        ).toBeGreaterThan(0);
      }
    }
  });

  it('the embedded default binds its local CI identity to one local repository', async () => {
    const config = await load(['app-config.yaml'], {});
    const [local] = config.getConfigArray('backend.auth.externalAccess');
    expect(local.getString('options.subject')).toBe(
      'local-ci:wishlist-service',
    );
    expect(
      config.getConfigArray('machineIdentity.ci')[0].getString('host'),
    ).toBe('local');
    expect(
      config.getOptionalConfigArray('machineIdentity.grants'),
    ).toBeUndefined();
  });
});
