import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Document, isMap, isSeq, parseDocument, YAMLMap } from 'yaml';
import {
  formatMonthly,
  renderResource,
  RESOURCE_SIZES,
  RESOURCE_TYPES,
  SizeCatalogue,
  sizeOf,
} from '../iac';
import {
  readSafe,
  repositoryFolder,
  repositoryPathInput,
  writeSafe,
} from '../workspace';
import { examples } from './addResource.examples';

export const RESOURCE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
export const DECLARATIONS = 'infra/resources.yaml';

/** Kind, namespace and name as the catalog allows them. */
const REF_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function entityRefOf(
  value: string,
  defaultKind: string,
  input: string,
): string {
  let ref;
  try {
    ref = parseEntityRef(value, { defaultKind, defaultNamespace: 'default' });
  } catch {
    ref = undefined;
  }
  if (
    !ref ||
    ![ref.kind, ref.namespace, ref.name].every(p => REF_PART.test(p))
  ) {
    throw new InputError(`${input} "${value}" is not an entity ref`);
  }
  return stringifyEntityRef(ref);
}

/**
 * infra/resources.yaml of a repository (a new one, with none declared, when
 * it has none), parsed, and its list of resources.
 */
export async function readDeclarations(
  repo: string,
  entityRef: string,
  owner: string,
) {
  let text: string;
  try {
    text = await readSafe(repo, DECLARATIONS, 'path');
  } catch (error: any) {
    if (error.code !== 'ENOENT') throw error;
    text = `# Cloud resources of ${entityRef}, rendered to infra/*.tf by the golden path.\nowner: ${JSON.stringify(
      owner,
    )}\nentityRef: ${JSON.stringify(entityRef)}\nresources: []\n`;
  }
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new InputError(
      `${DECLARATIONS} is not valid YAML: ${doc.errors[0].message}`,
    );
  }
  let list = doc.get('resources');
  if (list === undefined || list === null) {
    doc.set('resources', doc.createNode([]));
    list = doc.get('resources');
  }
  if (!isSeq(list)) {
    throw new InputError(`${DECLARATIONS}: resources must be a list`);
  }
  return { doc, list };
}

/** What the resource actions render Terraform with. */
export interface ResourceRenderOptions {
  sizes: () => Promise<SizeCatalogue>;
  moduleSource: string;
  costAllocationTag: string;
}

/** Writes infra/resources.yaml as the document now says. */
export async function writeDeclarations(repo: string, doc: Document) {
  await writeSafe(
    repo,
    DECLARATIONS,
    doc.toString({ flowCollectionPadding: false }),
    'path',
  );
}

/**
 * Writes infra/resources.yaml and renders the resource's Terraform,
 * infra/<name>.tf, from the golden-path module of its type.
 */
export async function writeResource(
  repo: string,
  doc: Document,
  options: Omit<ResourceRenderOptions, 'sizes'> & {
    catalogue: SizeCatalogue;
    entityRef: string;
    owner: string;
    resource: { name: string; type: string; size: string };
  },
) {
  const rendered = renderResource({
    ...options,
    component: parseEntityRef(options.entityRef).name,
  });
  await writeDeclarations(repo, doc);
  await writeSafe(repo, rendered.file, rendered.content, 'path');
  return rendered;
}

/**
 * `golden-path:resource:add`: declares a resource in infra/resources.yaml
 * (the structured file kept in the service's repository) and renders its
 * Terraform, infra/<name>.tf, from the golden-path module of its type. The
 * monthly estimate of the chosen size comes from templates/iac/sizes.yaml.
 */
export function createAddResourceAction(options: ResourceRenderOptions) {
  return createTemplateAction({
    id: 'golden-path:resource:add',
    description:
      'Declares a database, queue, bucket or cache in infra/resources.yaml and renders its Terraform from the golden-path modules.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: repositoryPathInput,
        name: z =>
          z.string().describe('Name of the resource within the component'),
        type: z => z.string().describe(`One of ${RESOURCE_TYPES.join(', ')}`),
        size: z => z.string().describe(`One of ${RESOURCE_SIZES.join(', ')}`),
        entityRef: z => z.string().describe('The owning component'),
        owner: z => z.string().describe('The owning group'),
      },
      output: {
        file: z => z.string().describe('The rendered Terraform file'),
        monthlyUsd: z => z.number(),
        estimate: z => z.string().describe('"about $14.00 a month"'),
        description: z => z.string().describe('What the size provisions'),
      },
    },
    async handler(ctx) {
      const { name, type, size } = ctx.input;
      if (!RESOURCE_NAME.test(name)) {
        throw new InputError(
          `"${name}" is not a resource name: 2 to 32 lower-case letters, digits and -, starting with a letter`,
        );
      }
      const catalogue = await options.sizes();
      const spec = sizeOf(catalogue, type, size);
      const entityRef = entityRefOf(
        ctx.input.entityRef,
        'component',
        'entityRef',
      );
      const owner = entityRefOf(ctx.input.owner, 'group', 'owner');
      const repo = await repositoryFolder(ctx.workspacePath, ctx.input.path);

      const { doc, list } = await readDeclarations(repo, entityRef, owner);
      const existing = list.items.find(
        item => isMap(item) && (item as YAMLMap).get('name') === name,
      ) as YAMLMap | undefined;
      if (existing) {
        if (existing.get('type') !== type || existing.get('size') !== size) {
          throw new ConflictError(
            `${DECLARATIONS} already declares "${name}" (${existing.get(
              'type',
            )}, ${existing.get(
              'size',
            )}); choose another name or change it there`,
          );
        }
      } else {
        list.flow = false;
        list.add(doc.createNode({ name, type, size }));
      }

      const rendered = await writeResource(repo, doc, {
        ...options,
        catalogue,
        entityRef,
        owner,
        resource: { name, type, size },
      });

      const estimate = formatMonthly(catalogue, spec.monthlyUsd);
      ctx.logger.info(
        `${type} "${name}" (${size}: ${spec.description}), ${estimate}`,
      );
      ctx.output('file', rendered.file);
      ctx.output('monthlyUsd', spec.monthlyUsd);
      ctx.output('estimate', estimate);
      ctx.output('description', spec.description);
    },
  });
}
