import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import { parse } from 'yaml';
import { hclQuote } from './quoting';

export const RESOURCE_TYPES = ['database', 'queue', 'bucket', 'cache'] as const;
export const RESOURCE_SIZES = ['small', 'medium', 'large'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type ResourceSize = (typeof RESOURCE_SIZES)[number];

export interface SizeSpec {
  description: string;
  settings: Record<string, string | number | boolean>;
  monthlyUsd: number;
}

/** templates/iac/sizes.yaml: what each size of each type provisions and costs. */
export interface SizeCatalogue {
  currency: string;
  types: Record<
    ResourceType,
    { title: string; sizes: Record<ResourceSize, SizeSpec> }
  >;
}

export async function readSizeCatalogue(file: string): Promise<SizeCatalogue> {
  const doc = parse(await fs.readFile(file, 'utf8')) as SizeCatalogue;
  for (const type of RESOURCE_TYPES) {
    for (const size of RESOURCE_SIZES) {
      const spec = doc?.types?.[type]?.sizes?.[size];
      if (!spec || typeof spec.monthlyUsd !== 'number' || !spec.settings) {
        throw new Error(
          `${file}: ${type} ${size} is missing or has no monthlyUsd/settings`,
        );
      }
    }
  }
  return doc;
}

/** "about $14.00 a month" for a size. */
export function formatMonthly(catalogue: SizeCatalogue, usd: number): string {
  const money = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: catalogue.currency,
    minimumFractionDigits: 2,
  }).format(usd);
  return `about ${money} a month`;
}

export function sizeOf(
  catalogue: SizeCatalogue,
  type: string,
  size: string,
): SizeSpec {
  if (!(RESOURCE_TYPES as readonly string[]).includes(type)) {
    throw new InputError(
      `unknown resource type "${type}": choose one of ${RESOURCE_TYPES.join(
        ', ',
      )}`,
    );
  }
  if (!(RESOURCE_SIZES as readonly string[]).includes(size)) {
    throw new InputError(
      `unknown size "${size}" for a ${type}: choose one of ${RESOURCE_SIZES.join(
        ', ',
      )}`,
    );
  }
  return catalogue.types[type as ResourceType].sizes[size as ResourceSize];
}

/** A value as HCL: strings quoted with interpolation escaped. */
function hcl(value: string | number | boolean): string {
  return typeof value === 'string' ? hclQuote(value) : String(value);
}

/** Lines `key = value` with the equals signs aligned, as terraform fmt does. */
function attributes(
  values: Array<[string, string | number | boolean]>,
): string[] {
  const width = Math.max(...values.map(([key]) => key.length));
  return values.map(([key, value]) => `  ${key.padEnd(width)} = ${hcl(value)}`);
}

export interface RenderedResource {
  /** infra/<name>.tf */
  file: string;
  content: string;
}

/**
 * The Terraform of one declared resource: a call of the golden-path module of
 * its type with the size's settings and the tags' inputs. The output is
 * already in `terraform fmt` form.
 */
export function renderResource(options: {
  catalogue: SizeCatalogue;
  moduleSource: string;
  costAllocationTag: string;
  entityRef: string;
  owner: string;
  component: string;
  resource: { name: string; type: string; size: string };
}): RenderedResource {
  const { catalogue, resource } = options;
  const spec = sizeOf(catalogue, resource.type, resource.size);
  const label = `${resource.type}_${resource.name.replace(/-/g, '_')}`;
  const source = options.moduleSource.replace(/\{type\}/g, resource.type);
  const lines = [
    `# ${catalogue.types[resource.type as ResourceType].title} "${
      resource.name
    }" of ${options.entityRef}:`,
    `# ${resource.size}, ${spec.description} (${formatMonthly(
      catalogue,
      spec.monthlyUsd,
    )}).`,
    '# Rendered by the golden path from infra/resources.yaml: change the size there.',
    `module "${label}" {`,
    ...attributes([['source', source]]),
    '',
    ...attributes([
      ['name', `${options.component}-${resource.name}`],
      ['entity_ref', options.entityRef],
      ['owner', options.owner],
      ['cost_allocation_tag', options.costAllocationTag],
    ]),
    '',
    ...attributes(Object.entries(spec.settings)),
    '}',
    '',
  ];
  return { file: `infra/${resource.name}.tf`, content: lines.join('\n') };
}
