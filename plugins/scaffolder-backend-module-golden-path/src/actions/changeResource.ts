/*
 * `golden-path:resource:change`: resizes or removes a resource declared in
 * infra/resources.yaml, the source of truth of a service's infrastructure,
 * and its rendered Terraform with it (infra/<name>.tf re-rendered at the new
 * size, or deleted), with the monthly estimate before and after from
 * templates/iac/sizes.yaml. A resource that is not declared, or declared
 * with another type than the form says, is refused before anything is
 * written.
 */
import { InputError, NotFoundError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'node:fs/promises';
import { isMap, YAMLMap } from 'yaml';
import { formatMonthly, RESOURCE_SIZES, sizeOf } from '../iac';
import { repositoryFolder, repositoryPathInput, safePath } from '../workspace';
import {
  DECLARATIONS,
  entityRefOf,
  readDeclarations,
  RESOURCE_NAME,
  ResourceRenderOptions,
  writeDeclarations,
  writeResource,
} from './addResource';
import { examples } from './changeResource.examples';

export function createChangeResourceAction(options: ResourceRenderOptions) {
  return createTemplateAction({
    id: 'golden-path:resource:change',
    description:
      'Resizes or removes a resource declared in infra/resources.yaml, and re-renders or deletes its Terraform, with the monthly estimate before and after.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: repositoryPathInput,
        name: z => z.string().describe('The declared resource'),
        type: z =>
          z.string().describe('Its type, as declared (checked against it)'),
        change: z => z.enum(['resize', 'remove']).describe('What to do'),
        size: z =>
          z
            .string()
            .optional()
            .describe(`The new size, for resize: ${RESOURCE_SIZES.join(', ')}`),
        entityRef: z => z.string().describe('The owning component'),
        owner: z => z.string().describe('The owning group'),
      },
      output: {
        file: z => z.string().describe('The Terraform file changed or deleted'),
        before: z => z.string().describe('"small, about $14.00 a month"'),
        after: z =>
          z.string().describe('"medium, about $59.00 a month", or "nothing"'),
        beforeMonthlyUsd: z => z.number(),
        afterMonthlyUsd: z => z.number(),
        summary: z => z.string().describe('One line for the pull request'),
      },
    },
    async handler(ctx) {
      const { name, type, change } = ctx.input;
      if (!RESOURCE_NAME.test(name)) {
        throw new InputError(`"${name}" is not a resource name`);
      }
      if (change === 'resize' && !ctx.input.size) {
        throw new InputError('give the new size to resize a resource');
      }
      const catalogue = await options.sizes();
      const entityRef = entityRefOf(
        ctx.input.entityRef,
        'component',
        'entityRef',
      );
      const owner = entityRefOf(ctx.input.owner, 'group', 'owner');
      const repo = await repositoryFolder(ctx.workspacePath, ctx.input.path);
      const { doc, list } = await readDeclarations(repo, entityRef, owner);
      const index = list.items.findIndex(
        item => isMap(item) && (item as YAMLMap).get('name') === name,
      );
      if (index < 0) {
        const declared = list.items
          .filter(isMap)
          .map(item => String((item as YAMLMap).get('name')));
        throw new NotFoundError(
          `${DECLARATIONS} declares no resource "${name}"${
            declared.length
              ? ` (it declares ${declared.join(', ')})`
              : ' (it declares none)'
          }`,
        );
      }
      const item = list.items[index] as YAMLMap;
      const declaredType = String(item.get('type'));
      const declaredSize = String(item.get('size'));
      if (declaredType !== type) {
        throw new InputError(
          `"${name}" is a ${declaredType} in ${DECLARATIONS}, not a ${type}`,
        );
      }
      const before = sizeOf(catalogue, declaredType, declaredSize);
      const beforeText = `${declaredSize}, ${formatMonthly(
        catalogue,
        before.monthlyUsd,
      )}`;
      const file = `infra/${name}.tf`;

      let afterText = 'nothing';
      let afterUsd = 0;
      if (change === 'resize') {
        const size = ctx.input.size!;
        const after = sizeOf(catalogue, type, size);
        if (size === declaredSize) {
          throw new InputError(`"${name}" is already ${size}`);
        }
        item.set('size', size);
        await writeResource(repo, doc, {
          ...options,
          catalogue,
          entityRef,
          owner,
          resource: { name, type, size },
        });
        afterText = `${size}, ${formatMonthly(catalogue, after.monthlyUsd)}`;
        afterUsd = after.monthlyUsd;
      } else {
        list.items.splice(index, 1);
        await writeDeclarations(repo, doc);
        await fs.rm(await safePath(repo, file, 'path'), { force: true });
      }
      const summary =
        change === 'resize'
          ? `Resize ${type} ${name} from ${beforeText} to ${afterText}`
          : `Remove ${type} ${name} (${beforeText}): applying it destroys the resource and its data`;
      ctx.logger.info(summary);
      ctx.output('file', file);
      ctx.output('before', beforeText);
      ctx.output('after', afterText);
      ctx.output('beforeMonthlyUsd', before.monthlyUsd);
      ctx.output('afterMonthlyUsd', afterUsd);
      ctx.output('summary', summary);
    },
  });
}
