import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'node:fs/promises';
import path from 'node:path';
import { git } from '../git';
import { LocalRepositories } from '../localRepositories';
import {
  makeRepository,
  runAction,
  tempDir,
  writeFiles,
} from '../__testUtils__/testing';
import { createCheckoutAction } from './checkout';
import { createPublishLocalAction } from './publishLocal';
import { createPullRequestLocalAction } from './pullRequestLocal';
import { createRegisterLocalAction } from './registerLocal';
import { ScmIntegrations } from '@backstage/integration';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';

const CATALOG_INFO = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart-service
spec:
  type: service
  lifecycle: production
  owner: group:default/team-checkout
`;

describe('local repositories (the embedded default)', () => {
  let root: string;
  let workspace: string;
  let cleanup: () => Promise<void>;
  let repositories: LocalRepositories;

  beforeEach(async () => {
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    root = path.join(tmp.dir, 'repositories');
    workspace = path.join(tmp.dir, 'workspace');
    await fs.mkdir(workspace);
    repositories = new LocalRepositories(root);
  });
  afterEach(() => cleanup());

  describe('golden-path:publish:local', () => {
    const action = () => createPublishLocalAction({ repositories });

    it('makes a repository with one commit of the workspace, by the person who ran it', async () => {
      await writeFiles(workspace, {
        'catalog-info.yaml': CATALOG_INFO,
        'src/server.ts': 'export {};\n',
      });
      const out = await runAction(
        action(),
        { repositoryName: 'cart-service' },
        { workspacePath: workspace },
      );
      const repo = path.join(root, 'cart-service');
      expect(out.repositoryPath).toBe(repo);
      expect(out.remoteUrl).toBe(`file://${repo}`);
      expect(await git(repo, ['log', '--format=%an <%ae>|%s'])).toBe(
        'Ben Okafor <ben@acme.example>|Initial commit from the golden path',
      );
      expect((await git(repo, ['ls-files'])).split('\n')).toEqual([
        'catalog-info.yaml',
        'src/server.ts',
      ]);
      expect(out.commitHash).toBe(await git(repo, ['rev-parse', 'HEAD']));
    });

    it('refuses a name that is taken, and leaves the existing repository alone', async () => {
      await writeFiles(workspace, { 'a.txt': 'new\n' });
      await makeRepository(path.join(root, 'cart-service'), {
        'a.txt': 'old\n',
      });
      await expect(
        runAction(
          action(),
          { repositoryName: 'cart-service' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/a repository named "cart-service" already exists/);
      expect(
        await fs.readFile(path.join(root, 'cart-service/a.txt'), 'utf8'),
      ).toBe('old\n');
    });

    it('is idempotent within a task: a retried step reuses its checkpoint', async () => {
      await writeFiles(workspace, { 'a.txt': 'x\n' });
      const checkpoints = new Map();
      const first = await runAction(
        action(),
        { repositoryName: 'svc' },
        { workspacePath: workspace, checkpoints },
      );
      const again = await runAction(
        action(),
        { repositoryName: 'svc' },
        { workspacePath: workspace, checkpoints },
      );
      expect(again.commitHash).toBe(first.commitHash);
      expect(
        await git(path.join(root, 'svc'), ['rev-list', '--count', 'HEAD']),
      ).toBe('1');
    });

    it.each([['../escape'], ['Upper'], ['a/b'], ['']])(
      'refuses the repository name %p',
      async name => {
        await writeFiles(workspace, { 'a.txt': 'x\n' });
        await expect(
          runAction(
            action(),
            { repositoryName: name },
            { workspacePath: workspace },
          ),
        ).rejects.toThrow(/is not a repository name/);
        expect(await repositories.list()).toEqual([]);
      },
    );

    it('refuses a source path outside the workspace', async () => {
      await expect(
        runAction(
          action(),
          { repositoryName: 'svc', sourcePath: '../../etc' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(
        /sourcePath "..\/..\/etc" is outside the task's workspace/,
      );
    });

    it('refuses an empty workspace', async () => {
      await expect(
        runAction(
          action(),
          { repositoryName: 'svc' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/nothing in the workspace/);
      expect(await repositories.list()).toEqual([]);
    });
  });

  describe('golden-path:pull-request:local', () => {
    const action = () => createPullRequestLocalAction({ repositories });

    it('proposes the change on a branch and leaves main alone', async () => {
      const repo = path.join(root, 'legacy-billing');
      await makeRepository(repo, {
        'package.json': '{}\n',
        'README.md': 'old\n',
      });
      const main = await git(repo, ['rev-parse', 'main']);
      await writeFiles(workspace, {
        'package.json': '{}\n',
        'README.md': 'old\n',
        '.github/workflows/ci.yml': 'name: ci\n',
      });
      const out = await runAction(
        action(),
        {
          repositoryName: 'legacy-billing',
          branchName: 'golden-path/adopt',
          title: 'Adopt the golden path',
          description: 'Adds the pipeline.',
        },
        { workspacePath: workspace },
      );
      expect(out.changedFiles).toEqual(['.github/workflows/ci.yml']);
      expect(await git(repo, ['rev-parse', 'main'])).toBe(main);
      expect(await git(repo, ['rev-parse', 'golden-path/adopt'])).toBe(
        out.commitHash,
      );
      expect(
        await git(repo, ['log', '-1', '--format=%s%n%b', 'golden-path/adopt']),
      ).toBe('Adopt the golden path\nAdds the pipeline.');
      expect(out.reviewCommand).toContain(
        `git -C ${repo} diff main...golden-path/adopt`,
      );

      // The same proposal again (a new task): the branch stays as it is.
      const again = await runAction(
        action(),
        {
          repositoryName: 'legacy-billing',
          branchName: 'golden-path/adopt',
          title: 'Adopt the golden path',
        },
        { workspacePath: workspace },
      );
      expect(again.commitHash).toBe(out.commitHash);
    });

    it('proposes nothing when the repository already has the files', async () => {
      await makeRepository(path.join(root, 'svc'), { 'a.txt': 'x\n' });
      await writeFiles(workspace, { 'a.txt': 'x\n' });
      const out = await runAction(
        action(),
        {
          repositoryName: 'svc',
          branchName: 'golden-path/x',
          title: 'Nothing',
        },
        { workspacePath: workspace },
      );
      expect(out).toMatchObject({ commitHash: '', changedFiles: [] });
      expect(await git(path.join(root, 'svc'), ['branch', '--list'])).toBe(
        '* main',
      );
    });

    it('refuses an unknown repository and a bad branch name', async () => {
      await expect(
        runAction(
          action(),
          { repositoryName: 'nope', branchName: 'b', title: 't' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/there is no local repository "nope"/);
      await makeRepository(path.join(root, 'svc'), { 'a.txt': 'x\n' });
      await expect(
        runAction(
          action(),
          { repositoryName: 'svc', branchName: '../main', title: 't' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/is not a branch name/);
    });
  });

  describe('golden-path:checkout', () => {
    const repoPath = () => path.join(root, 'cart-service');
    const catalog = () =>
      catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'cart-service',
              namespace: 'default',
              annotations: {
                'backstage.io/managed-by-location': `file:${repoPath()}/catalog-info.yaml`,
              },
            },
            spec: { owner: 'group:default/team-checkout' },
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'mystery', namespace: 'default' },
            spec: {},
          },
        ],
      });
    const action = () =>
      createCheckoutAction({
        repositories,
        catalog: catalog(),
        reader: mockServices.urlReader.mock(),
        integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      });

    beforeEach(() =>
      makeRepository(repoPath(), {
        'catalog-info.yaml': CATALOG_INFO,
        'src/a.ts': 'x\n',
      }),
    );

    it("checks out a catalog entity's local repository, and says who owns it", async () => {
      const out = await runAction(
        action(),
        { entityRef: 'component:default/cart-service', targetPath: 'repo' },
        { workspacePath: workspace },
      );
      expect(out).toMatchObject({
        target: 'local',
        repository: 'cart-service',
        repositoryPath: repoPath(),
        defaultBranch: 'main',
        owner: 'group:default/team-checkout',
      });
      expect(
        await fs.readFile(path.join(workspace, 'repo/src/a.ts'), 'utf8'),
      ).toBe('x\n');
      await expect(
        fs.access(path.join(workspace, 'repo/.git')),
      ).rejects.toThrow();
    });

    it('checks out a local repository by name', async () => {
      const out = await runAction(
        action(),
        { repository: 'cart-service' },
        { workspacePath: workspace },
      );
      expect(out.target).toBe('local');
      expect(
        await fs.readFile(path.join(workspace, 'catalog-info.yaml'), 'utf8'),
      ).toBe(CATALOG_INFO);
    });

    it('checks out a GitHub repository through the URL reader, for a GitHub pull request', async () => {
      const reader = mockServices.urlReader.mock();
      reader.readTree.mockResolvedValue({
        dir: async ({ targetDir }: { targetDir: string }) => {
          await writeFiles(targetDir!, {
            'go.mod': 'module github.com/acme/geo\n',
          });
          return targetDir!;
        },
      } as any);
      const out = await runAction(
        createCheckoutAction({
          repositories,
          catalog: catalog(),
          reader,
          integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
        }),
        { repository: 'acme-commerce/geo-service', targetPath: 'repo' },
        { workspacePath: workspace },
      );
      expect(reader.readTree).toHaveBeenCalledWith(
        'https://github.com/acme-commerce/geo-service',
        expect.anything(),
      );
      expect(out).toMatchObject({
        target: 'github',
        repository: 'acme-commerce/geo-service',
        repoUrl: 'github.com?owner=acme-commerce&repo=geo-service',
      });
      expect(
        await fs.readFile(path.join(workspace, 'repo/go.mod'), 'utf8'),
      ).toContain('geo');
    });

    it('says why when the code of an entity cannot be found', async () => {
      await expect(
        runAction(
          action(),
          { entityRef: 'component:default/mystery' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(
        /has no github.com\/project-slug annotation and is not in a local repository/,
      );
      await expect(
        runAction(
          action(),
          { entityRef: 'component:default/ghost' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/component:default\/ghost is not in the catalog/);
      await expect(
        runAction(action(), {}, { workspacePath: workspace }),
      ).rejects.toThrow(/give either repository or entityRef/);
    });
  });

  describe('golden-path:catalog:register-local', () => {
    it('waits until the entity of the repository is in the catalog', async () => {
      await makeRepository(path.join(root, 'cart-service'), {
        'catalog-info.yaml': CATALOG_INFO,
      });
      const catalog = catalogServiceMock({ entities: [] });
      let calls = 0;
      jest.spyOn(catalog, 'getEntityByRef').mockImplementation(async () => {
        calls += 1;
        return calls < 2
          ? undefined
          : ({ kind: 'Component', metadata: { name: 'cart-service' } } as any);
      });
      const changed = jest.fn();
      const out = await runAction(
        createRegisterLocalAction({
          repositories: new LocalRepositories(root, changed),
          catalog,
        }),
        { repositoryName: 'cart-service', waitSeconds: 10 },
        { workspacePath: workspace },
      );
      expect(out.entityRef).toBe('component:default/cart-service');
      expect(changed).toHaveBeenCalledWith('cart-service');
      expect(calls).toBe(2);
    });

    it('refuses a repository without a catalog-info.yaml', async () => {
      await makeRepository(path.join(root, 'bare'), { 'a.txt': 'x\n' });
      await expect(
        runAction(
          createRegisterLocalAction({
            repositories,
            catalog: catalogServiceMock({ entities: [] }),
          }),
          { repositoryName: 'bare' },
          { workspacePath: workspace },
        ),
      ).rejects.toThrow(/there is no catalog-info.yaml in the repository/);
    });
  });
});
