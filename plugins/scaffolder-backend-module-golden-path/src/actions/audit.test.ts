/*
 * Local pull requests and publishing are audited, refusals included: each
 * attempt is one auditor event that ends in success or fail.
 */
import { AuditorService } from '@backstage/backend-plugin-api';
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
import { createPublishLocalAction } from './publishLocal';
import { createPullRequestLocalAction } from './pullRequestLocal';

/** An auditor that records events and how each one ended. */
function recordingAuditor() {
  const events: Array<{
    eventId: string;
    meta: any;
    outcome?: 'success' | 'fail';
    error?: string;
    result?: any;
  }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: (typeof events)[number] = {
        eventId: options.eventId,
        meta: options.meta,
      };
      events.push(event);
      return {
        async success(o) {
          event.outcome = 'success';
          event.result = o?.meta;
        },
        async fail(o) {
          event.outcome = 'fail';
          event.error = o.error.message;
        },
      };
    },
  };
  return { auditor, events };
}

describe('audit of local pull requests and publishing', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let workspace: string;
  let repositories: LocalRepositories;
  beforeEach(async () => {
    tmp = await tempDir();
    workspace = path.join(tmp.dir, 'workspace');
    await fs.mkdir(workspace);
    repositories = new LocalRepositories(path.join(tmp.dir, 'repositories'));
  });
  afterEach(() => tmp.cleanup());

  it('audits a refused local pull request (a bad branch, an unknown repository) as failed, with who asked', async () => {
    const { auditor, events } = recordingAuditor();
    const action = createPullRequestLocalAction({ repositories, auditor });
    await makeRepository(path.join(repositories.root, 'svc'), { a: 'x' });
    await expect(
      runAction(
        action,
        { repositoryName: 'svc', branchName: '../main', title: 't' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/is not a branch name/);
    await expect(
      runAction(
        action,
        { repositoryName: 'nope', branchName: 'b', title: 't' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/there is no local repository/);
    expect(events).toEqual([
      {
        eventId: 'golden-path-pull-request-local',
        meta: {
          user: 'user:default/ben.okafor',
          template: 'template:default/test',
          taskId: 'task-1',
          repository: 'svc',
          branch: '../main',
          forcePush: true,
        },
        outcome: 'fail',
        error: '"../main" is not a branch name',
      },
      expect.objectContaining({
        meta: expect.objectContaining({ repository: 'nope' }),
        outcome: 'fail',
      }),
    ]);
  });

  it('audits a refused write through a link as failed', async () => {
    const { auditor, events } = recordingAuditor();
    const repo = path.join(repositories.root, 'svc');
    await makeRepository(repo, { a: 'x' });
    await fs.symlink(tmp.dir, path.join(repo, 'infra'));
    await git(repo, ['add', '-A']);
    await git(repo, ['commit', '-q', '-m', 'link']);
    await writeFiles(workspace, { 'infra/x.tf': '#\n' });
    await expect(
      runAction(
        createPullRequestLocalAction({ repositories, auditor }),
        { repositoryName: 'svc', branchName: 'golden-path/x', title: 't' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/symbolic link/);
    expect(events).toEqual([
      expect.objectContaining({
        outcome: 'fail',
        error: expect.stringMatching(/infra is a symbolic link/),
      }),
    ]);
  });

  it('audits a force-push that replaces an open branch, with the head it replaced', async () => {
    const { auditor, events } = recordingAuditor();
    const action = createPullRequestLocalAction({ repositories, auditor });
    const repo = path.join(repositories.root, 'svc');
    await makeRepository(repo, { a: 'x' });
    const input = {
      repositoryName: 'svc',
      branchName: 'golden-path/x',
      title: 't',
    };
    await writeFiles(workspace, { a: 'x', b: 'first' });
    const first = await runAction(action, input, { workspacePath: workspace });
    await writeFiles(workspace, { b: 'second' });
    const second = await runAction(action, input, { workspacePath: workspace });
    expect(events.map(e => [e.outcome, e.result])).toEqual([
      [
        'success',
        {
          commitHash: first.commitHash,
          changedFiles: 1,
          replacedBranchHead: null,
        },
      ],
      [
        'success',
        {
          commitHash: second.commitHash,
          changedFiles: 1,
          replacedBranchHead: first.commitHash,
        },
      ],
    ]);
  });

  it('audits publishing, and a refused one (the name is taken) as failed', async () => {
    const { auditor, events } = recordingAuditor();
    const action = createPublishLocalAction({ repositories, auditor });
    await writeFiles(workspace, { 'README.md': 'x\n' });
    const out = await runAction(
      action,
      { repositoryName: 'fresh' },
      { workspacePath: workspace },
    );
    await expect(
      runAction(
        action,
        { repositoryName: 'fresh' },
        { workspacePath: workspace },
      ),
    ).rejects.toThrow(/already exists/);
    expect(events).toEqual([
      {
        eventId: 'golden-path-publish-local',
        meta: expect.objectContaining({
          repository: 'fresh',
          user: 'user:default/ben.okafor',
        }),
        outcome: 'success',
        result: { commitHash: out.commitHash },
      },
      expect.objectContaining({
        eventId: 'golden-path-publish-local',
        outcome: 'fail',
        error: expect.stringMatching(/already exists/),
      }),
    ]);
  });
});
