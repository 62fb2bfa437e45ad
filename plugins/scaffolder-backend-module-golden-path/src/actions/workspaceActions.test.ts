import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { readSizeCatalogue, renderResource } from '../iac';
import { runAction, tempDir, writeFiles } from '../__testUtils__/testing';
import { createAddResourceAction } from './addResource';
import { createDetectStackAction } from './detectStack';
import { createMergeAction } from './merge';
import {
  compareVersions,
  createTemplateReadAction,
  createTemplateStampAction,
} from './templateInfo';

const SIZES = path.resolve(__dirname, '../../../../templates/iac/sizes.yaml');

let workspace: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: workspace, cleanup } = await tempDir());
});
afterEach(() => cleanup());

const read = (file: string) => fs.readFile(path.join(workspace, file), 'utf8');

describe('golden-path:detect-stack', () => {
  const detect = (files: Record<string, string>) =>
    writeFiles(workspace, files).then(() =>
      runAction(createDetectStackAction(), {}, { workspacePath: workspace }),
    );

  it('tells TypeScript from its tsconfig and reads the name and description', async () => {
    expect(
      await detect({
        'package.json': JSON.stringify({
          name: '@acme/billing',
          description: 'Invoices',
        }),
        'tsconfig.json': '{}',
        Dockerfile: 'FROM node',
      }),
    ).toEqual({
      stack: 'node',
      language: 'typescript',
      name: 'billing',
      description: 'Invoices',
      hasCatalogInfo: false,
      hasDockerfile: true,
      hasDocs: false,
      hasPipeline: false,
    });
  });

  it.each([
    [
      {
        'pyproject.toml': '[project]\nname = "ledger"\ndescription = "Books"\n',
      },
      'python',
      'ledger',
    ],
    [{ 'requirements.txt': 'flask\n' }, 'python', undefined],
    [{ 'go.mod': 'module github.com/acme/geo\n\ngo 1.22\n' }, 'go', 'geo'],
    [{ 'pom.xml': '<project/>' }, 'java', undefined],
    [{ 'package.json': '{"name":"web"}' }, 'node', 'web'],
  ])('detects %p', async (files, stack, name) => {
    const out = await detect(files);
    expect(out.stack).toBe(stack);
    expect(out.name).toBe(name);
  });

  it('says what it looked for when it cannot tell', async () => {
    await expect(detect({ 'README.md': '# hi' })).rejects.toThrow(
      /cannot tell how this repository is built: there is no package.json/,
    );
  });

  it('refuses a broken package.json with a clear message', async () => {
    await expect(detect({ 'package.json': '{ nope' })).rejects.toThrow(
      /package.json is not valid JSON/,
    );
  });
});

describe('golden-path:merge', () => {
  it("adds what is missing, keeps the repository's own files unless asked", async () => {
    await writeFiles(workspace, {
      'repo/README.md': 'mine\n',
      'repo/.github/workflows/ci.yml': 'mine\n',
      'golden/README.md': 'golden\n',
      'golden/.github/workflows/ci.yml': 'golden\n',
      'golden/docs/index.md': 'golden\n',
    });
    const out = await runAction(
      createMergeAction(),
      {
        from: 'golden',
        into: 'repo',
        overwrite: ['./.github/workflows/ci.yml'],
      },
      { workspacePath: workspace },
    );
    expect(out).toEqual({
      added: ['docs/index.md'],
      kept: ['README.md'],
      replaced: ['.github/workflows/ci.yml'],
    });
    expect(await read('repo/README.md')).toBe('mine\n');
    expect(await read('repo/.github/workflows/ci.yml')).toBe('golden\n');
    await expect(fs.access(path.join(workspace, 'golden'))).rejects.toThrow();
  });

  it('refuses folders outside the workspace', async () => {
    await expect(
      runAction(
        createMergeAction(),
        { from: '/etc', into: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/from "\/etc" is outside the task's workspace/);
    await expect(
      runAction(
        createMergeAction(),
        { from: 'golden', into: '../..' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/into "..\/.." is outside the task's workspace/);
  });
});

describe('golden-path:resource:add', () => {
  const action = () =>
    createAddResourceAction({
      sizes: () => readSizeCatalogue(SIZES),
      moduleSource: 'git::https://example.com/iac.git//modules/{type}?ref=v1',
      costAllocationTag: 'portal-entity-ref',
    });
  const add = (input: Record<string, unknown>) =>
    runAction(
      action(),
      {
        entityRef: 'component:default/cart-service',
        owner: 'team-checkout',
        ...input,
      },
      { workspacePath: workspace },
    );

  it('declares the resource and renders Terraform that terraform fmt accepts, tagged for cost and owner', async () => {
    const out = await add({
      name: 'orders-db',
      type: 'database',
      size: 'medium',
    });
    expect(out).toEqual({
      file: 'infra/orders-db.tf',
      monthlyUsd: 59,
      estimate: 'about $59.00 a month',
      description: 'db.t4g.medium, 100 GiB gp3, single AZ',
    });
    const tf = await read('infra/orders-db.tf');
    expect(tf).toContain('module "database_orders_db" {');
    expect(tf).toContain(
      'source = "git::https://example.com/iac.git//modules/database?ref=v1"',
    );
    expect(tf).toMatch(/entity_ref\s+= "component:default\/cart-service"/);
    expect(tf).toMatch(/owner\s+= "group:default\/team-checkout"/);
    expect(tf).toMatch(/instance_class\s+= "db.t4g.medium"/);
    expect(tf).toMatch(/allocated_storage = 100/);
    // terraform fmt parses the file and finds nothing to change.
    execFileSync('terraform', [
      'fmt',
      '-check',
      '-diff',
      path.join(workspace, 'infra'),
    ]);

    expect(parse(await read('infra/resources.yaml'))).toEqual({
      owner: 'group:default/team-checkout',
      entityRef: 'component:default/cart-service',
      resources: [{ name: 'orders-db', type: 'database', size: 'medium' }],
    });
  });

  it('appends to an existing declaration, keeps its comments, and is idempotent', async () => {
    await writeFiles(workspace, {
      'infra/resources.yaml':
        '# Cloud resources of cart-service.\nowner: group:default/team-checkout\nentityRef: component:default/cart-service\nresources: []\n',
    });
    await add({ name: 'events', type: 'queue', size: 'small' });
    await add({ name: 'cache', type: 'cache', size: 'large' });
    const once = await read('infra/resources.yaml');
    await add({ name: 'events', type: 'queue', size: 'small' });
    expect(await read('infra/resources.yaml')).toBe(once);
    expect(once).toContain('# Cloud resources of cart-service.');
    expect(parse(once).resources).toEqual([
      { name: 'events', type: 'queue', size: 'small' },
      { name: 'cache', type: 'cache', size: 'large' },
    ]);
    execFileSync('terraform', ['fmt', '-check', path.join(workspace, 'infra')]);
  });

  it('refuses to redeclare a name with another type or size', async () => {
    await add({ name: 'events', type: 'queue', size: 'small' });
    await expect(
      add({ name: 'events', type: 'queue', size: 'large' }),
    ).rejects.toThrow(/already declares "events" \(queue, small\)/);
  });

  it.each([
    [
      { name: 'db', type: 'mainframe', size: 'small' },
      /unknown resource type "mainframe": choose one of database, queue, bucket, cache/,
    ],
    [
      { name: 'db', type: 'database', size: 'huge' },
      /unknown size "huge" for a database: choose one of small, medium, large/,
    ],
    [
      { name: '../../etc', type: 'database', size: 'small' },
      /is not a resource name/,
    ],
    [
      { name: 'db', type: 'database', size: 'small', path: '../outside' },
      /path "..\/outside" is outside the task's workspace/,
    ],
    [
      { name: 'db', type: 'database', size: 'small', entityRef: 'a:b:c/d/e' },
      /entityRef "a:b:c\/d\/e" is not an entity ref/,
    ],
  ])(
    'refuses %p with a clear message and writes nothing',
    async (input, message) => {
      await expect(add(input)).rejects.toThrow(message);
      await expect(fs.access(path.join(workspace, 'infra'))).rejects.toThrow();
    },
  );

  it('refuses an owner that is not an entity ref', async () => {
    await expect(
      add({
        name: 'db',
        type: 'database',
        size: 'small',
        owner: 'group:default/team-${evil}',
      }),
    ).rejects.toThrow(
      /owner "group:default\/team-\$\{evil\}" is not an entity ref/,
    );
  });

  it('escapes values so that nothing can break out of a Terraform string', async () => {
    const { content } = renderResource({
      catalogue: await readSizeCatalogue(SIZES),
      moduleSource: 'git::https://example.com/"${x}"%{y}\\',
      costAllocationTag: 'portal-entity-ref',
      entityRef: 'component:default/a',
      owner: 'group:default/b',
      component: 'a',
      resource: { name: 'db', type: 'database', size: 'small' },
    });
    expect(content).toContain(
      'source = "git::https://example.com/\\"$${x}\\"%%{y}\\\\"',
    );
    await writeFiles(workspace, { 'x.tf': content });
    execFileSync('terraform', ['fmt', '-check', workspace]);
  });
});

describe('golden-path:template:read and :stamp', () => {
  const CATALOG_INFO = `# The catalog entry.
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart-service
  description: Carts
  annotations:
    backstage.io/kubernetes-namespace: team-checkout
    github.com/project-slug: acme-commerce/cart-service
    acme.example/template: new-service
    acme.example/template-version: "1.0.0"
  tags: [typescript, golden-path]
spec:
  type: service
  lifecycle: production
  owner: group:default/team-checkout
  system: checkout
`;

  it('reads what the repository was made from and whether it is current', async () => {
    await writeFiles(workspace, { 'catalog-info.yaml': CATALOG_INFO });
    const out = await runAction(
      createTemplateReadAction(),
      { currentVersion: '1.1.0' },
      { workspacePath: workspace },
    );
    expect(out).toEqual({
      templateName: 'new-service',
      templateVersion: '1.0.0',
      upToDate: false,
      name: 'cart-service',
      description: 'Carts',
      owner: 'group:default/team-checkout',
      ownerName: 'team-checkout',
      system: 'checkout',
      lifecycle: 'production',
      namespace: 'team-checkout',
      projectSlug: 'acme-commerce/cart-service',
    });
  });

  it('stamps the new version and keeps the comments', async () => {
    await writeFiles(workspace, { 'catalog-info.yaml': CATALOG_INFO });
    await runAction(
      createTemplateStampAction(),
      { templateName: 'new-service', templateVersion: '1.1.0' },
      { workspacePath: workspace },
    );
    const text = await read('catalog-info.yaml');
    // Only the version line changed.
    expect(text).toBe(
      CATALOG_INFO.replace(
        'template-version: "1.0.0"',
        'template-version: "1.1.0"',
      ),
    );
    expect(
      parse(text).metadata.annotations['acme.example/template-version'],
    ).toBe('1.1.0');
    const out = await runAction(
      createTemplateReadAction(),
      { currentVersion: '1.1.0' },
      { workspacePath: workspace },
    );
    expect(out.upToDate).toBe(true);
  });

  it('says to adopt the golden path first when a repository has none', async () => {
    await writeFiles(workspace, {
      'catalog-info.yaml':
        'kind: Component\nmetadata:\n  name: old\nspec: {}\n',
    });
    await expect(
      runAction(createTemplateReadAction(), {}, { workspacePath: workspace }),
    ).rejects.toThrow(
      /old was not made from the golden path .* use "Adopt the golden path" first/,
    );
    await fs.rm(path.join(workspace, 'catalog-info.yaml'));
    await expect(
      runAction(createTemplateReadAction(), {}, { workspacePath: workspace }),
    ).rejects.toThrow(/has no catalog-info.yaml/);
    await writeFiles(workspace, { 'catalog-info.yaml': 'kind: [\n' });
    await expect(
      runAction(createTemplateReadAction(), {}, { workspacePath: workspace }),
    ).rejects.toThrow(/catalog-info.yaml is not valid YAML/);
  });

  it('refuses a version that is not one', async () => {
    await writeFiles(workspace, { 'catalog-info.yaml': CATALOG_INFO });
    await expect(
      runAction(
        createTemplateStampAction(),
        { templateName: 'x', templateVersion: 'latest' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/invalid input/);
  });

  it('compares versions as numbers', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.9.9', '1.0.0')).toBe(-1);
  });
});
