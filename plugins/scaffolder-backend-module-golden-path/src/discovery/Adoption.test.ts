/*
 * The adoption map over the embedded default's demo repositories
 * (catalog/demo-repositories, made local git repositories here) on SQLite
 * and PostgreSQL: each repository's standing, the counts and their daily
 * trend, the filters, and the build job two repositories duplicate; and a
 * GitHub organisation's repositories from recorded API responses served
 * locally.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testDatabaseIds } from '@portal/test-utils';
import { Octokit } from '@octokit/rest';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { makeRepository, tempDir } from '../__testUtils__/testing';
import { LocalRepositories } from '../localRepositories';
import { Adoption } from './Adoption';
import { duplicateJobs, pipelineOf } from './analysis';
import { GithubRepositorySource, LocalRepositorySource } from './repositories';

const DEMO = path.resolve(__dirname, '../../../../catalog/demo-repositories');
const NAMES = [
  'inventory-sync',
  'legacy-billing',
  'ml-notebooks',
  'pricing-engine',
  'wishlist-service',
];

/** Every file of a folder, by path (as makeRepository takes them). */
async function filesOf(
  dir: string,
  prefix = '',
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(files, await filesOf(full, rel));
    else files[rel] = await fs.readFile(full, 'utf8');
  }
  return files;
}

async function demoRepositories() {
  const { dir } = await tempDir('adoption-');
  for (const name of NAMES) {
    await makeRepository(
      path.join(dir, name),
      await filesOf(path.join(DEMO, name)),
    );
  }
  return new LocalRepositories(dir);
}

/** wishlist-service, registered from its local repository. */
const wishlist = (root: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'wishlist-service',
    namespace: 'default',
    annotations: {
      'backstage.io/managed-by-location': `file:${path.join(
        root,
        'wishlist-service',
        'catalog-info.yaml',
      )}`,
    },
  },
  spec: { type: 'service', owner: 'group:default/team-checkout' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-checkout' }],
});

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())('The adoption map on %p', id => {
  it('says where each demo repository stands, counts them by day and finds the duplicated build', async () => {
    const repositories = await demoRepositories();
    const knex = await databases.init(id);
    let now = new Date('2026-12-06T08:00:00Z');
    const adoption = await Adoption.create({
      sources: [new LocalRepositorySource(repositories)],
      catalog: catalogServiceMock({ entities: [wishlist(repositories.root)] }),
      auth: mockServices.auth(),
      knex,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    await adoption.scanNow();
    now = new Date('2026-12-07T08:00:00Z');
    await adoption.scanNow();
    await adoption.scanNow(); // the same day again: one point

    const summary = await adoption.summary();
    expect(summary.counts).toEqual({
      repositories: 5,
      inCatalog: 1,
      goldenPath: 1,
      customPipeline: 2,
      noPipeline: 2,
      ownerUnknown: 4,
    });
    expect(summary.trend.map(t => [t.day, t.repositories])).toEqual([
      ['2026-12-06', 5],
      ['2026-12-07', 5],
    ]);
    // inventory-sync's build and pricing-engine's image run the same steps.
    expect(summary.duplicates).toEqual([
      {
        steps: [
          'uses: actions/checkout',
          'uses: actions/setup-node',
          'run: npm ci',
          'run: npm test',
          'uses: docker/login-action',
          'uses: docker/build-push-action',
        ],
        similarity: 1,
        jobs: expect.arrayContaining([
          {
            repository: 'inventory-sync',
            workflow: '.github/workflows/build.yml',
            job: 'build',
          },
          {
            repository: 'pricing-engine',
            workflow: '.github/workflows/ci.yml',
            job: 'image',
          },
        ]),
      },
    ]);

    const all = await adoption.list({}, { offset: 0, limit: 50 });
    expect(
      all.items.map(r => [
        r.name,
        r.inCatalog,
        r.pipeline,
        r.goldenPathVersion,
        r.ownerRef,
      ]),
    ).toEqual([
      ['inventory-sync', false, 'custom', undefined, undefined],
      ['legacy-billing', false, 'none', undefined, undefined],
      ['ml-notebooks', false, 'none', undefined, undefined],
      ['pricing-engine', false, 'custom', undefined, undefined],
      [
        'wishlist-service',
        true,
        'golden-path',
        '1.0.0',
        'group:default/team-checkout',
      ],
    ]);
    const custom = await adoption.list(
      { pipeline: 'custom', inCatalog: false },
      { offset: 0, limit: 1 },
    );
    expect(custom).toMatchObject({
      totalCount: 2,
      nextCursor: '1',
      items: [
        { name: 'inventory-sync', workflows: ['.github/workflows/build.yml'] },
      ],
    });
    expect(
      (
        await adoption.list(
          { ownerKnown: true, search: 'WISH' },
          { offset: 0, limit: 5 },
        )
      ).items.map(r => r.name),
    ).toEqual(['wishlist-service']);

    // A scan that could not read a source keeps the day's point as it was.
    now = new Date('2026-12-08T08:00:00Z');
    const failing = await Adoption.create({
      sources: [
        new LocalRepositorySource(repositories),
        {
          list: async () => {
            throw new Error('GitHub answered 403: rate limit exceeded');
          },
        },
      ],
      catalog: catalogServiceMock({ entities: [] }),
      auth: mockServices.auth(),
      knex,
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    await failing.scanNow();
    expect((await failing.summary()).trend.map(t => t.day)).toEqual([
      '2026-12-06',
      '2026-12-07',
    ]);
  }, 120_000);
});

describe('repository analysis', () => {
  it('tells the golden path from a pipeline of its own, and leaves different jobs apart', () => {
    const repo = (name: string, text: string) => ({
      name,
      target: 'local' as const,
      workflows: [{ path: '.github/workflows/ci.yml', text }],
    });
    expect(
      pipelineOf(
        repo(
          'a',
          'jobs:\n  golden-path:\n    uses: acme/portal/.github/workflows/golden-path.yml@v1\n',
        ),
      ),
    ).toBe('golden-path');
    expect(
      pipelineOf(repo('b', 'jobs:\n  x:\n    steps:\n      - run: make\n')),
    ).toBe('custom');
    expect(pipelineOf(repo('c', 'not: [valid'))).toBe('custom');
    const steps = (...s: string[]) =>
      `jobs:\n  j:\n    steps:\n${s.map(x => `      - run: ${x}\n`).join('')}`;
    expect(
      duplicateJobs([
        repo('a', steps('make', 'make test', 'make deploy')),
        repo('b', steps('cargo build', 'cargo test', 'cargo publish')),
      ]),
    ).toEqual([]);
  });
});

/** GitHub's REST API for one organisation, as recorded (two repositories, an archived one, a fork). */
async function fakeGithub() {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const file = (p: string, text: string) => ({
    type: 'file',
    name: path.basename(p),
    path: p,
    encoding: 'base64',
    size: text.length,
    content: b64(text),
  });
  const repo = (name: string, extra: object = {}) => ({
    name,
    full_name: `acme-commerce/${name}`,
    owner: { login: 'acme-commerce' },
    html_url: `https://github.com/acme-commerce/${name}`,
    archived: false,
    fork: false,
    ...extra,
  });
  const contents: Record<string, unknown> = {
    'checkout-api/catalog-info.yaml': file(
      'catalog-info.yaml',
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout-api\n  annotations:\n    acme.example/template-version: "1.1.0"\n',
    ),
    'checkout-api/.github/workflows': [
      { type: 'file', name: 'ci.yml', path: '.github/workflows/ci.yml' },
    ],
    'checkout-api/.github/workflows/ci.yml': file(
      '.github/workflows/ci.yml',
      'jobs:\n  golden-path:\n    uses: acme-commerce/acme-developer-portal/.github/workflows/golden-path.yml@golden-path-v1\n',
    ),
  };
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization ?? ''}`);
    const url = new URL(req.url!, 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/orgs/acme-commerce/repos') {
      return json(200, [
        repo('checkout-api'),
        repo('old-site', { archived: true }),
        repo('forked-lib', { fork: true }),
        repo('data-jobs'),
      ]);
    }
    const m = /^\/repos\/acme-commerce\/([^/]+)\/contents\/(.+)$/.exec(
      url.pathname,
    );
    const found = m && contents[`${m[1]}/${decodeURIComponent(m[2])}`];
    return found ? json(200, found) : json(404, { message: 'Not Found' });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, seen, close: () => server.close() };
}

describe('GithubRepositorySource', () => {
  it("lists an organisation's live repositories with their catalog-info.yaml and workflows", async () => {
    const github = await fakeGithub();
    try {
      const source = new GithubRepositorySource({
        org: 'acme-commerce',
        octokit: async () =>
          new Octokit({ auth: 'token-1', baseUrl: github.baseUrl }),
        logger: mockServices.logger.mock(),
      });
      const found = await source.list();
      expect(
        found.map(r => [r.name, r.url, !!r.catalogInfo, r.workflows.length]),
      ).toEqual([
        [
          'acme-commerce/checkout-api',
          'https://github.com/acme-commerce/checkout-api',
          true,
          1,
        ],
        [
          'acme-commerce/data-jobs',
          'https://github.com/acme-commerce/data-jobs',
          false,
          0,
        ],
      ]);
      expect(pipelineOf(found[0])).toBe('golden-path');
      expect(github.seen[0]).toMatch(
        /^\/orgs\/acme-commerce\/repos\?.* token token-1$/,
      );
    } finally {
      github.close();
    }
  });
});
