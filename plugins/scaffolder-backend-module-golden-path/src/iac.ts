import {
  ResourceType,
  SizeCatalogue,
  sizeOf,
} from '@portal/plugin-finops-node';
import { hclQuote } from './quoting';

// The price list is read where FinOps reads it too (its estimates).
export {
  RESOURCE_SIZES,
  RESOURCE_TYPES,
  readSizeCatalogue,
  sizeOf,
} from '@portal/plugin-finops-node';
export type {
  ResourceSize,
  ResourceType,
  SizeCatalogue,
  SizeSpec,
} from '@portal/plugin-finops-node';

/** "about $14.00 a month" for a size. */
export function formatMonthly(catalogue: SizeCatalogue, usd: number): string {
  const money = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: catalogue.currency,
    minimumFractionDigits: 2,
  }).format(usd);
  return `about ${money} a month`;
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
