import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { Document, parseAllDocuments } from 'yaml';
import {
  readSafe,
  repositoryFolder,
  repositoryPathInput,
  writeSafe,
} from '../workspace';
import { examples } from './templateInfo.examples';

/** Annotations every golden-path repository carries, for upgrades and drift. */
export const TEMPLATE_ANNOTATION = 'acme.example/template';
export const TEMPLATE_VERSION_ANNOTATION = 'acme.example/template-version';

const CATALOG_INFO = 'catalog-info.yaml';

async function readCatalogInfo(dir: string): Promise<{ docs: Document[] }> {
  let text: string;
  try {
    text = await readSafe(dir, CATALOG_INFO, 'path');
  } catch (error: any) {
    if (error.code !== 'ENOENT') throw error;
    throw new InputError(
      'the repository has no catalog-info.yaml; adopt the golden path first',
    );
  }
  const docs = parseAllDocuments(text) as Document[];
  const broken = docs.find(doc => doc.errors.length);
  if (broken) {
    throw new InputError(
      `catalog-info.yaml is not valid YAML: ${broken.errors[0].message}`,
    );
  }
  if (!docs.some(doc => doc.getIn(['metadata', 'name']))) {
    throw new InputError('catalog-info.yaml declares no entity');
  }
  return { docs };
}

/** Compares dotted versions numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(n => parseInt(n, 10) || 0);
  const pb = b.split('.').map(n => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/**
 * `golden-path:template:read`: which golden path (template and version) a
 * repository was made from, and the values its files were rendered with,
 * from the annotations of its catalog-info.yaml.
 */
export function createTemplateReadAction() {
  return createTemplateAction({
    id: 'golden-path:template:read',
    description:
      "Reads the template name and version a repository was made from, and its component's values, from catalog-info.yaml.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: repositoryPathInput,
        currentVersion: z =>
          z
            .string()
            .optional()
            .describe('The version the template is at now, to compare'),
      },
      output: {
        templateName: z => z.string(),
        templateVersion: z => z.string(),
        upToDate: z => z.boolean(),
        name: z => z.string(),
        description: z => z.string(),
        owner: z => z.string(),
        ownerName: z => z.string(),
        system: z => z.string(),
        lifecycle: z => z.string(),
        namespace: z => z.string(),
        projectSlug: z => z.string(),
      },
    },
    async handler(ctx) {
      const dir = await repositoryFolder(ctx.workspacePath, ctx.input.path);
      const { docs } = await readCatalogInfo(dir);
      const entity = docs
        .find(doc => doc.getIn(['metadata', 'name']))!
        .toJSON();
      const annotations: Record<string, string> =
        entity.metadata.annotations ?? {};
      const templateName = annotations[TEMPLATE_ANNOTATION];
      const templateVersion = String(
        annotations[TEMPLATE_VERSION_ANNOTATION] ?? '',
      );
      if (!templateName || !templateVersion) {
        throw new InputError(
          `${entity.metadata.name} was not made from the golden path (no ${TEMPLATE_ANNOTATION} annotation); use "Adopt the golden path" first`,
        );
      }
      const owner = String(entity.spec?.owner ?? '');
      const upToDate = ctx.input.currentVersion
        ? compareVersions(templateVersion, ctx.input.currentVersion) >= 0
        : true;
      ctx.logger.info(
        `${entity.metadata.name} follows ${templateName} ${templateVersion}${
          upToDate ? '' : ` (now ${ctx.input.currentVersion})`
        }`,
      );
      ctx.output('templateName', templateName);
      ctx.output('templateVersion', templateVersion);
      ctx.output('upToDate', upToDate);
      ctx.output('name', entity.metadata.name);
      ctx.output('description', entity.metadata.description ?? '');
      ctx.output('owner', owner);
      ctx.output('ownerName', owner.split('/').pop()!.split(':').pop()!);
      ctx.output('system', String(entity.spec?.system ?? ''));
      ctx.output('lifecycle', String(entity.spec?.lifecycle ?? 'experimental'));
      ctx.output(
        'namespace',
        annotations['backstage.io/kubernetes-namespace'] ??
          entity.metadata.name,
      );
      ctx.output('projectSlug', annotations['github.com/project-slug'] ?? '');
    },
  });
}

/**
 * `golden-path:template:stamp`: records the template name and version in the
 * repository's catalog-info.yaml (comments and layout kept).
 */
export function createTemplateStampAction() {
  return createTemplateAction({
    id: 'golden-path:template:stamp',
    description:
      "Records a golden path's template name and version in the repository's catalog-info.yaml.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: repositoryPathInput,
        templateName: z => z.string(),
        templateVersion: z =>
          z.string().regex(/^\d+(\.\d+)*$/, 'a version such as 1.2.0'),
      },
    },
    async handler(ctx) {
      const dir = await repositoryFolder(ctx.workspacePath, ctx.input.path);
      const { docs } = await readCatalogInfo(dir);
      const doc = docs.find(d => d.getIn(['metadata', 'name']))!;
      doc.setIn(
        ['metadata', 'annotations', TEMPLATE_ANNOTATION],
        ctx.input.templateName,
      );
      doc.setIn(
        ['metadata', 'annotations', TEMPLATE_VERSION_ANNOTATION],
        ctx.input.templateVersion,
      );
      await writeSafe(
        dir,
        CATALOG_INFO,
        docs
          .map(d => d.toString({ flowCollectionPadding: false }))
          .join('---\n'),
        'path',
      );
      ctx.logger.info(
        `catalog-info.yaml now records ${ctx.input.templateName} ${ctx.input.templateVersion}`,
      );
    },
  });
}
