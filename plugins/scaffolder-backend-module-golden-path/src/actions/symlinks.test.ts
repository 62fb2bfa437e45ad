/*
 * Symbolic links planted in a checked-out repository: a folder (infra/) or a
 * file (catalog-info.yaml, package.json) that points outside the workspace.
 * Every golden-path action that reads or writes through such a path refuses
 * it with an InputError naming the link, and nothing outside is touched.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs/promises';
import path from 'node:path';
import { git } from '../git';
import { LocalRepositories } from '../localRepositories';
import { readSizeCatalogue } from '../iac';
import {
  makeRepository,
  runAction,
  tempDir,
  writeFiles,
} from '../__testUtils__/testing';
import { createAddResourceAction } from './addResource';
import { createCheckoutAction } from './checkout';
import { createDetectStackAction } from './detectStack';
import { createMergeAction } from './merge';
import { createPublishLocalAction } from './publishLocal';
import { createPullRequestLocalAction } from './pullRequestLocal';
import {
  createTemplateReadAction,
  createTemplateStampAction,
} from './templateInfo';

const SIZES = path.resolve(__dirname, '../../../../templates/iac/sizes.yaml');
const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: victim
  annotations:
    acme.example/template: new-service
    acme.example/template-version: "1.0.0"
spec:
  type: service
  lifecycle: production
  owner: group:default/team-secret
`;

describe('symbolic links in a checked-out repository', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let workspace: string;
  let outside: string;
  let repositories: LocalRepositories;

  beforeEach(async () => {
    tmp = await tempDir();
    workspace = path.join(tmp.dir, 'workspace');
    outside = path.join(tmp.dir, 'outside');
    await fs.mkdir(workspace);
    // What the links point at: another team's files, outside the workspace.
    await writeFiles(outside, {
      'catalog-info.yaml': CATALOG_INFO,
      'package.json': '{"name":"secret","description":"SECRET"}',
      'resources.yaml': 'owner: group:default/team-secret\nresources: []\n',
    });
    repositories = new LocalRepositories(path.join(tmp.dir, 'repositories'));
  });
  afterEach(() => tmp.cleanup());

  /** The files outside, to compare before and after. */
  async function outsideFiles() {
    const names = (await fs.readdir(outside)).sort();
    return Promise.all(
      names.map(async n => [
        n,
        await fs.readFile(path.join(outside, n), 'utf8'),
      ]),
    );
  }

  /**
   * A local repository with links committed in it (git stores them as
   * links), checked out into the workspace by golden-path:checkout.
   */
  async function checkOut(links: Record<string, string>) {
    const repo = path.join(repositories.root, 'shady');
    await makeRepository(repo, { 'package.json': '{"name":"shady"}' });
    for (const [link, target] of Object.entries(links)) {
      await fs.mkdir(path.dirname(path.join(repo, link)), { recursive: true });
      await fs.rm(path.join(repo, link), { force: true });
      await fs.symlink(target, path.join(repo, link));
    }
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'links']);
    await runAction(
      createCheckoutAction({
        repositories,
        catalog: catalogServiceMock(),
        reader: mockServices.urlReader.mock(),
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      }),
      { repository: 'shady', targetPath: 'repo' },
      { workspacePath: workspace },
    );
  }

  const addResource = () =>
    runAction(
      createAddResourceAction({
        sizes: () => readSizeCatalogue(SIZES),
        moduleSource: 'git::https://example.com/iac//{type}',
        costAllocationTag: 'portal-entity-ref',
      }),
      {
        path: 'repo',
        name: 'orders-db',
        type: 'database',
        size: 'small',
        entityRef: 'component:default/shady',
        owner: 'group:default/team-checkout',
      },
      { workspacePath: workspace },
    );

  it('checkout keeps a link as a link (never copies what it points at)', async () => {
    await checkOut({ infra: outside });
    const stat = await fs.lstat(path.join(workspace, 'repo/infra'));
    expect(stat.isSymbolicLink()).toBe(true);
    expect(await fs.readlink(path.join(workspace, 'repo/infra'))).toBe(outside);
  });

  it('add-resource refuses to write through a linked infra/ folder', async () => {
    const before = await outsideFiles();
    await checkOut({ infra: outside });
    const error = await addResource().catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /"infra\/resources\.yaml": infra is a symbolic link/,
    );
    expect(await outsideFiles()).toEqual(before);
    await expect(
      fs.access(path.join(outside, 'orders-db.tf')),
    ).rejects.toThrow();
  });

  it('add-resource refuses to read or write a linked infra/resources.yaml', async () => {
    const before = await outsideFiles();
    await checkOut({
      'infra/resources.yaml': path.join(outside, 'resources.yaml'),
    });
    await expect(addResource()).rejects.toThrow(
      /"infra\/resources\.yaml": infra\/resources\.yaml is a symbolic link/,
    );
    expect(await outsideFiles()).toEqual(before);
  });

  it('template:stamp refuses to write through a linked catalog-info.yaml', async () => {
    const before = await outsideFiles();
    await checkOut({
      'catalog-info.yaml': path.join(outside, 'catalog-info.yaml'),
    });
    const error = await runAction(
      createTemplateStampAction(),
      { path: 'repo', templateName: 'new-service', templateVersion: '9.9.9' },
      { workspacePath: workspace },
    ).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/catalog-info\.yaml is a symbolic link/);
    expect(await outsideFiles()).toEqual(before);
  });

  it('template:read refuses to read a linked catalog-info.yaml', async () => {
    await checkOut({
      'catalog-info.yaml': path.join(outside, 'catalog-info.yaml'),
    });
    await expect(
      runAction(
        createTemplateReadAction(),
        { path: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/catalog-info\.yaml is a symbolic link/);
  });

  it('detect-stack refuses to read a linked package.json', async () => {
    await checkOut({ 'package.json': path.join(outside, 'package.json') });
    await expect(
      runAction(
        createDetectStackAction(),
        { path: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/package\.json is a symbolic link/);
  });

  it('actions refuse a repository folder that is itself a link', async () => {
    await fs.symlink(outside, path.join(workspace, 'repo'));
    await expect(
      runAction(
        createDetectStackAction(),
        { path: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/path "repo": repo is a symbolic link/);
  });

  it('merge refuses to add files through a linked folder or file of the repository', async () => {
    const before = await outsideFiles();
    await checkOut({ infra: outside });
    await writeFiles(workspace, { 'golden/infra/main.tf': '# golden\n' });
    await expect(
      runAction(
        createMergeAction(),
        { from: 'golden', into: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(
      /into "repo\/infra\/main\.tf": repo\/infra is a symbolic link/,
    );
    await expect(fs.access(path.join(outside, 'main.tf'))).rejects.toThrow();

    await fs.rm(path.join(workspace, 'repo/infra'));
    await fs.symlink(
      path.join(outside, 'catalog-info.yaml'),
      path.join(workspace, 'repo/catalog-info.yaml'),
    );
    await writeFiles(workspace, { 'golden/catalog-info.yaml': 'golden\n' });
    await expect(
      runAction(
        createMergeAction(),
        { from: 'golden', into: 'repo', overwrite: ['catalog-info.yaml'] },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/repo\/catalog-info\.yaml is a symbolic link/);
    expect(await outsideFiles()).toEqual(before);
  });

  it('merge refuses a rendered file that is a link (it would copy what it points at)', async () => {
    await writeFiles(workspace, { 'repo/README.md': 'x\n' });
    await fs.mkdir(path.join(workspace, 'golden'));
    await fs.symlink(
      path.join(outside, 'package.json'),
      path.join(workspace, 'golden/leak.json'),
    );
    await expect(
      runAction(
        createMergeAction(),
        { from: 'golden', into: 'repo' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/leak\.json is a symbolic link/);
    await expect(
      fs.access(path.join(workspace, 'repo/leak.json')),
    ).rejects.toThrow();
  });

  it('pull-request:local never writes through a link of the repository', async () => {
    // The repository has infra/ as a link; the workspace has a real infra/
    // folder (made by hand, not by checkout): copying it would write
    // outside.
    const repo = path.join(repositories.root, 'shady');
    await makeRepository(repo, { 'package.json': '{}' });
    await fs.symlink(outside, path.join(repo, 'infra'));
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'link']);
    const before = await outsideFiles();
    await writeFiles(workspace, {
      'package.json': '{}',
      'infra/pwned.tf': '# outside\n',
    });
    const error = await runAction(
      createPullRequestLocalAction({ repositories }),
      { repositoryName: 'shady', branchName: 'golden-path/x', title: 'x' },
      { workspacePath: workspace },
    ).catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/infra is a symbolic link/);
    expect(await outsideFiles()).toEqual(before);
  });

  it('publish:local copies a link of the workspace as a link, not its target', async () => {
    await writeFiles(workspace, { 'README.md': 'x\n' });
    await fs.symlink(
      path.join(outside, 'package.json'),
      path.join(workspace, 'package.json'),
    );
    await runAction(
      createPublishLocalAction({ repositories }),
      { repositoryName: 'fresh' },
      { workspacePath: workspace },
    );
    const published = path.join(repositories.root, 'fresh/package.json');
    expect((await fs.lstat(published)).isSymbolicLink()).toBe(true);
    expect(
      await git(path.join(repositories.root, 'fresh'), [
        'show',
        'HEAD:package.json',
      ]),
    ).toBe(path.join(outside, 'package.json'));
  });
});
