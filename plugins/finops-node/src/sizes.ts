/*
 * The golden path's price list: what each size of each resource type the
 * golden path provisions (templates/iac/sizes.yaml) costs a month. The
 * scaffolder's "Add a resource" action renders and prices resources from
 * it, and FinOps answers estimates from it: one reading for both.
 */
import { RootConfigService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** @public */
export const RESOURCE_TYPES = ['database', 'queue', 'bucket', 'cache'] as const;
/** @public */
export const RESOURCE_SIZES = ['small', 'medium', 'large'] as const;
/** @public */
export type ResourceType = (typeof RESOURCE_TYPES)[number];
/** @public */
export type ResourceSize = (typeof RESOURCE_SIZES)[number];

/** What one size provisions (its module's settings) and costs. @public */
export interface SizeSpec {
  description: string;
  settings: Record<string, string | number | boolean>;
  monthlyUsd: number;
}

/**
 * templates/iac/sizes.yaml: what each size of each type provisions and
 * costs.
 *
 * @public
 */
export interface SizeCatalogue {
  currency: string;
  types: Record<
    ResourceType,
    { title: string; sizes: Record<ResourceSize, SizeSpec> }
  >;
}

/**
 * Where the price list is: `goldenPath.iac.sizesFile`, relative to the
 * backend's working directory (the repository's templates/iac/sizes.yaml
 * when unset).
 *
 * @public
 */
export function sizeCatalogueFile(config: RootConfigService): string {
  return path.resolve(
    config.getOptionalString('goldenPath.iac.sizesFile') ??
      '../../templates/iac/sizes.yaml',
  );
}

/**
 * Reads the price list, refusing one without a price and settings for
 * every size of every type.
 *
 * @public
 */
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

/**
 * One size of one type, or an InputError that lists the types or the
 * sizes to choose from.
 *
 * @public
 */
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
