import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LocalRepositories } from '../localRepositories';
import { readSafe } from '../workspace';
import { examples } from './registerLocal.examples';

/** The entities a catalog-info.yaml declares, as refs. */
export async function declaredRefs(
  repository: string,
  file = 'catalog-info.yaml',
): Promise<string[]> {
  let text: string;
  try {
    text = await readSafe(repository, file, 'the repository');
  } catch (error: any) {
    if (error.code !== 'ENOENT') throw error;
    throw new InputError(`there is no ${file} in the repository`);
  }
  return parseAllDocuments(text)
    .map(doc => doc.toJSON() as Entity | null)
    .filter((e): e is Entity => !!e?.kind && !!e?.metadata?.name)
    .map(e =>
      stringifyEntityRef({
        kind: e.kind,
        namespace: e.metadata.namespace,
        name: e.metadata.name,
      }),
    );
}

/**
 * `golden-path:catalog:register-local`: the catalog's local-repository
 * provider picks the repository up; this waits until the first entity of its
 * catalog-info.yaml is in the catalog, so the task can link to it.
 */
export function createRegisterLocalAction(options: {
  repositories: LocalRepositories;
  catalog: CatalogService;
}) {
  const { repositories, catalog } = options;
  return createTemplateAction({
    id: 'golden-path:catalog:register-local',
    description:
      'Registers a local repository in the catalog and waits for its entity.',
    examples,
    schema: {
      input: {
        repositoryName: z => z.string().describe('The local repository'),
        waitSeconds: z =>
          z
            .number()
            .int()
            .min(0)
            .max(600)
            .optional()
            .describe('How long to wait for the entity (default 120)'),
      },
      output: {
        entityRef: z => z.string().describe('The registered entity'),
        catalogInfoPath: z => z.string(),
      },
    },
    async handler(ctx) {
      const repo = await repositories.require(ctx.input.repositoryName);
      const file = path.join(repo, 'catalog-info.yaml');
      const [entityRef] = await declaredRefs(repo);
      if (!entityRef) {
        throw new InputError(`${file} declares no entity`);
      }
      repositories.notifyChanged(ctx.input.repositoryName);
      const deadline = Date.now() + (ctx.input.waitSeconds ?? 120) * 1000;
      const credentials = await ctx.getInitiatorCredentials();
      for (;;) {
        const entity = await catalog.getEntityByRef(entityRef, { credentials });
        if (entity) break;
        if (Date.now() > deadline) {
          throw new Error(
            `${entityRef} did not appear in the catalog in time; it will once the catalog has read ${file}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 1000));
      }
      ctx.logger.info(`${entityRef} is in the catalog`);
      ctx.output('entityRef', stringifyEntityRef(parseEntityRef(entityRef)));
      ctx.output('catalogInfoPath', file);
    },
  });
}
