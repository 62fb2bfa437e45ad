import { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  createTemplateAction,
  fetchContents,
} from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../git';
import { LocalRepositories } from '../localRepositories';
import { copyTree, safePath } from '../workspace';
import { examples } from './checkout.examples';

export const SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export type Source =
  | { target: 'local'; name: string; path: string }
  | { target: 'github'; slug: string };

/** Where an entity's code lives: its local repository, or its GitHub slug. */
export function sourceOfEntity(
  entity: Entity,
  repositories: LocalRepositories,
): Source | undefined {
  const location = entity.metadata.annotations?.[ANNOTATION_LOCATION];
  if (location) {
    const { type, target } = parseLocationRef(location);
    const name =
      type === 'file' ? repositories.nameOf(path.dirname(target)) : undefined;
    if (name) return { target: 'local', name, path: repositories.pathOf(name) };
  }
  const slug = entity.metadata.annotations?.['github.com/project-slug'];
  return slug && SLUG.test(slug) ? { target: 'github', slug } : undefined;
}

/**
 * `golden-path:checkout`: puts an existing repository's files into the
 * workspace, so the next steps can change them and open a pull request. The
 * repository is named directly (a local repository's name, or owner/name on
 * GitHub) or through a catalog entity.
 */
export function createCheckoutAction(options: {
  repositories: LocalRepositories;
  catalog: CatalogService;
  reader: UrlReaderService;
  integrations: ScmIntegrations;
}) {
  const { repositories, catalog, reader, integrations } = options;
  return createTemplateAction({
    id: 'golden-path:checkout',
    description:
      "Checks an existing repository's default branch out into the workspace (local or GitHub).",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repository: z =>
          z
            .string()
            .optional()
            .describe(
              'owner/name on GitHub, or the name of a local repository',
            ),
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('Or: the catalog entity whose repository to check out'),
        targetPath: z =>
          z
            .string()
            .optional()
            .describe('Where in the workspace (default: the workspace)'),
      },
      output: {
        target: z => z.enum(['local', 'github']),
        repository: z => z.string().describe('Local name or owner/name'),
        repositoryPath: z =>
          z.string().describe('Folder of a local repository'),
        repoUrl: z => z.string().describe('For publish:github:pull-request'),
        defaultBranch: z =>
          z.string().optional().describe('Of a local repository'),
        owner: z =>
          z.string().optional().describe("The entity's owner, when given one"),
      },
    },
    async handler(ctx) {
      const { repository, entityRef } = ctx.input;
      if (!repository === !entityRef) {
        throw new InputError('give either repository or entityRef');
      }
      const targetDir = await safePath(
        ctx.workspacePath,
        ctx.input.targetPath ?? '.',
        'targetPath',
      );
      let source: Source | undefined;
      if (entityRef) {
        const entity = await catalog.getEntityByRef(entityRef, {
          credentials: await ctx.getInitiatorCredentials(),
        });
        if (!entity)
          throw new NotFoundError(`${entityRef} is not in the catalog`);
        if (entity.spec?.owner) ctx.output('owner', String(entity.spec.owner));
        source = sourceOfEntity(entity, repositories);
        if (!source) {
          throw new InputError(
            `${entityRef} has no github.com/project-slug annotation and is not in a local repository, so its code cannot be found`,
          );
        }
      } else if (SLUG.test(repository!)) {
        source = { target: 'github', slug: repository! };
      } else {
        const name = repository!;
        source = {
          target: 'local',
          name,
          path: await repositories.require(name),
        };
      }

      await fs.mkdir(targetDir, { recursive: true });
      if (source.target === 'local') {
        // A clone of the default branch, copied without its .git.
        const tmp = await fs.mkdtemp(
          path.join(os.tmpdir(), 'golden-path-checkout-'),
        );
        try {
          await git(tmp, ['clone', '-q', '--depth', '1', source.path, 'repo']);
          await copyTree(path.join(tmp, 'repo'), targetDir);
          const branch = await git(path.join(tmp, 'repo'), [
            'rev-parse',
            '--abbrev-ref',
            'HEAD',
          ]);
          ctx.output('defaultBranch', branch);
        } finally {
          await fs.rm(tmp, { recursive: true, force: true });
        }
        ctx.output('target', 'local');
        ctx.output('repository', source.name);
        ctx.output('repositoryPath', source.path);
        ctx.output('repoUrl', '');
      } else {
        const [owner, repo] = source.slug.split('/');
        await fetchContents({
          reader,
          integrations,
          fetchUrl: `https://github.com/${owner}/${repo}`,
          outputPath: targetDir,
        });
        ctx.output('target', 'github');
        ctx.output('repository', source.slug);
        ctx.output('repositoryPath', '');
        ctx.output('repoUrl', `github.com?owner=${owner}&repo=${repo}`);
      }
      ctx.logger.info(`Checked out ${ctx.input.repository ?? entityRef}`);
    },
  });
}
