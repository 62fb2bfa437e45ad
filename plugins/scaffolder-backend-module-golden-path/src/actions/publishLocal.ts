import { ConflictError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { AuditorService } from '@backstage/backend-plugin-api';
import { audited, taskMeta } from '../audit';
import { authorOf, git } from '../git';
import { LocalRepositories } from '../localRepositories';
import { copyTree, safePath, listFiles } from '../workspace';
import { examples } from './publishLocal.examples';

/**
 * `golden-path:publish:local`: the embedded default's stand-in for
 * publish:github. The workspace becomes a new git repository (one commit on
 * main) in the local repositories folder; the catalog reads it from there.
 */
export function createPublishLocalAction(options: {
  repositories: LocalRepositories;
  auditor?: AuditorService;
}) {
  const { repositories } = options;
  return createTemplateAction({
    id: 'golden-path:publish:local',
    description:
      'Publishes the workspace as a new local git repository (the embedded default has no GitHub).',
    examples,
    schema: {
      input: {
        repositoryName: z =>
          z.string().describe('Name of the new repository (a folder name)'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'Folder of the workspace to publish (default: all of it)',
            ),
        commitMessage: z =>
          z.string().optional().describe('Message of the first commit'),
      },
      output: {
        repositoryPath: z => z.string().describe('Folder of the repository'),
        remoteUrl: z => z.string().describe('file:// URL to clone it from'),
        commitHash: z => z.string().describe('The first commit'),
        defaultBranch: z => z.string(),
      },
    },
    async handler(ctx) {
      // Every attempt is audited, a refused one (a taken name) too.
      await audited(
        options.auditor,
        {
          eventId: 'golden-path-publish-local',
          meta: {
            ...taskMeta(ctx),
            repository: String(ctx.input.repositoryName),
          },
        },
        () => publish(ctx),
        result => ({ commitHash: result.commitHash }),
      );
    },
  });

  async function publish(ctx: any): Promise<{ commitHash: string }> {
    const { repositoryName, commitMessage } = ctx.input;
    const source = await safePath(
      ctx.workspacePath,
      ctx.input.sourcePath ?? '.',
      'sourcePath',
    );
    const target = repositories.pathOf(repositoryName);
    const result = await ctx.checkpoint({
      key: `golden-path.publish.local.${repositoryName}`,
      fn: async () => {
        if (await repositories.exists(repositoryName)) {
          throw new ConflictError(
            `a repository named "${repositoryName}" already exists in ${repositories.root}; choose another name`,
          );
        }
        if ((await listFiles(source)).length === 0) {
          throw new ConflictError(
            'there is nothing in the workspace to publish',
          );
        }
        await fs.mkdir(repositories.root, { recursive: true });
        try {
          await copyTree(source, target);
          await git(target, ['init', '-q', '-b', 'main']);
          await git(target, ['add', '-A']);
          await git(
            target,
            [
              'commit',
              '-q',
              '-m',
              commitMessage ?? 'Initial commit from the golden path',
            ],
            authorOf(ctx.user),
          );
        } catch (error) {
          // Nothing half-made stays behind.
          await fs.rm(target, { recursive: true, force: true });
          throw error;
        }
        return { commitHash: await git(target, ['rev-parse', 'HEAD']) };
      },
    });
    repositories.notifyChanged(repositoryName);
    ctx.logger.info(`Published ${repositoryName} to ${target}`);
    ctx.output('repositoryPath', target);
    ctx.output('remoteUrl', pathToFileURL(target).toString());
    ctx.output('commitHash', result.commitHash);
    ctx.output('defaultBranch', 'main');
    return result;
  }
}
