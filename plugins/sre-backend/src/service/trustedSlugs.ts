import { Config } from '@backstage/config';

/**
 * The entities an admin allowed to name a repository they were not
 * registered from (`catalog.trustedProjectSlugs`, entity refs), lower case.
 */
export function trustedProjectSlugEntities(config: Config): Set<string> {
  return new Set(
    (config.getOptionalStringArray('catalog.trustedProjectSlugs') ?? []).map(
      ref => ref.toLowerCase(),
    ),
  );
}
