import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditorService } from '@backstage/backend-plugin-api';
import { audited, taskMeta } from '../audit';
import { authorOf, git } from '../git';
import { LocalRepositories } from '../localRepositories';
import { copyTree, safePath } from '../workspace';
import { examples } from './pullRequestLocal.examples';

const BRANCH = /^(?!.*\.\.)(?!\/)[A-Za-z0-9._\/-]{1,100}(?<![./])$/;

/**
 * `golden-path:pull-request:local`: the embedded default's stand-in for
 * publish:github:pull-request. The workspace's files go onto a new branch of
 * the local repository (its main branch is untouched), one commit whose
 * message is the request's title and description; merging is `git merge`.
 * Running it again with the same files changes nothing.
 */
export function createPullRequestLocalAction(options: {
  repositories: LocalRepositories;
  auditor?: AuditorService;
}) {
  const { repositories } = options;
  return createTemplateAction({
    id: 'golden-path:pull-request:local',
    description:
      'Proposes the workspace as a branch of a local repository (a local pull request).',
    examples,
    schema: {
      input: {
        repositoryName: z => z.string().describe('The local repository'),
        branchName: z => z.string().describe('The branch to create'),
        title: z => z.string().min(1).describe('Title of the change'),
        description: z =>
          z.string().optional().describe('What it does and why'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe('Folder of the workspace with the files'),
      },
      output: {
        branch: z => z.string(),
        commitHash: z => z.string().describe('Empty when nothing changed'),
        changedFiles: z => z.array(z.string()),
        reviewCommand: z => z.string().describe('How to look at the change'),
      },
    },
    async handler(ctx) {
      const { repositoryName, branchName } = ctx.input;
      // Every attempt is audited, a refused one too: who proposed what to
      // which repository, and the branch head a force-push replaced.
      await audited(
        options.auditor,
        {
          eventId: 'golden-path-pull-request-local',
          meta: {
            ...taskMeta(ctx),
            repository: String(repositoryName),
            branch: String(branchName),
            forcePush: true,
          },
        },
        () => propose(ctx),
        result => ({
          commitHash: result.commitHash,
          changedFiles: result.changedFiles.length,
          replacedBranchHead: result.replaced ?? null,
        }),
      );
    },
  });

  async function propose(ctx: any): Promise<{
    commitHash: string;
    changedFiles: string[];
    replaced?: string;
  }> {
    const { repositoryName, branchName, title, description } = ctx.input;
    if (!BRANCH.test(branchName)) {
      throw new InputError(`"${branchName}" is not a branch name`);
    }
    const repo = await repositories.require(repositoryName);
    const source = await safePath(
      ctx.workspacePath,
      ctx.input.sourcePath ?? '.',
      'sourcePath',
    );
    const result = await ctx.checkpoint({
      key: `golden-path.pull-request.local.${repositoryName}.${branchName}`,
      fn: async () => {
        const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'golden-path-pr-'));
        try {
          const clone = path.join(tmp, 'repo');
          await git(tmp, ['clone', '-q', repo, 'repo']);
          const base = await git(clone, ['rev-parse', '--abbrev-ref', 'HEAD']);
          await git(clone, [
            'checkout',
            '-q',
            '-B',
            branchName,
            `origin/${base}`,
          ]);
          await copyTree(source, clone);
          await git(clone, ['add', '-A']);
          const changed = (
            await git(clone, ['diff', '--cached', '--name-only'])
          )
            .split('\n')
            .filter(Boolean);
          if (!changed.length) {
            return { commitHash: '', changedFiles: [] as string[], base };
          }
          // The same proposal already open: leave the branch as it is.
          const tree = await git(clone, ['write-tree']);
          const open = await git(clone, [
            'rev-parse',
            '--verify',
            '-q',
            `refs/remotes/origin/${branchName}^{tree}`,
          ]).catch(() => '');
          if (open === tree) {
            return {
              commitHash: await git(clone, [
                'rev-parse',
                `origin/${branchName}`,
              ]),
              changedFiles: changed,
              base,
            };
          }
          await git(
            clone,
            [
              'commit',
              '-q',
              '-m',
              description ? `${title}\n\n${description}` : title,
            ],
            authorOf(ctx.user),
          );
          const replaced = open
            ? await git(clone, ['rev-parse', `origin/${branchName}`])
            : undefined;
          await git(clone, [
            'push',
            '-q',
            '--force',
            'origin',
            `${branchName}:${branchName}`,
          ]);
          return {
            commitHash: await git(clone, ['rev-parse', 'HEAD']),
            changedFiles: changed,
            base,
            replaced,
          };
        } finally {
          await fs.rm(tmp, { recursive: true, force: true });
        }
      },
    });
    if (result.changedFiles.length) {
      ctx.logger.info(
        `Branch ${branchName} of ${repositoryName}: ${result.changedFiles.length} files changed`,
      );
    } else {
      ctx.logger.info(
        `${repositoryName} already has these files: nothing to propose`,
      );
    }
    ctx.output('branch', branchName);
    ctx.output('commitHash', result.commitHash);
    ctx.output('changedFiles', result.changedFiles);
    ctx.output(
      'reviewCommand',
      `git -C ${repo} diff ${result.base}...${branchName}  # merge: git -C ${repo} merge ${branchName}`,
    );
    return result;
  }
}
