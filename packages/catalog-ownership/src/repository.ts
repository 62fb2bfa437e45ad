import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseLocationRef,
} from '@backstage/catalog-model';
import path from 'node:path';

/** The annotation that names an entity's GitHub repository (`owner/name`). */
export const PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/** Where the portal's local git repositories live (embedded default). */
export interface RepositoryOptions {
  /** Absolute folder of the embedded default's local repositories. */
  localRepositoriesDir?: string;
}

/**
 * The repository a catalog location points into, as `host/owner/name` for a
 * URL (`github.com/acme/payments-api`) or `local/<name>` for a file in one of
 * the embedded default's local repositories. Lower case; undefined for any
 * other location (the portal's own catalog files, an unparseable ref).
 */
export function repositoryOfLocation(
  locationRef: string,
  options: RepositoryOptions = {},
): string | undefined {
  let type: string;
  let target: string;
  try {
    ({ type, target } = parseLocationRef(locationRef));
  } catch {
    return undefined;
  }
  if (type === 'url') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    const [owner, name] = url.pathname.split('/').filter(Boolean);
    if (!owner || !name) return undefined;
    return `${url.host}/${owner}/${name.replace(/\.git$/, '')}`.toLowerCase();
  }
  if (type === 'file' && options.localRepositoriesDir) {
    const relative = path.relative(
      path.resolve(options.localRepositoriesDir),
      path.resolve(target),
    );
    const [name, ...rest] = relative.split(path.sep);
    if (
      !name ||
      name === '..' ||
      name.startsWith('..') ||
      path.isAbsolute(relative) ||
      rest.length === 0
    ) {
      return undefined;
    }
    return `local/${name}`.toLowerCase();
  }
  return undefined;
}

/**
 * The repository an entity was registered from: where its catalog-info.yaml
 * lives (the origin location). This, not an annotation the entity declares
 * about itself, is what binds an entity to a repository.
 */
export function sourceRepositoryOf(
  entity: Entity,
  options: RepositoryOptions = {},
): string | undefined {
  const origin = entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION];
  return origin ? repositoryOfLocation(origin, options) : undefined;
}

/**
 * The entity's `github.com/project-slug` when the portal may read that
 * repository on the entity's behalf: the entity was registered from that
 * very repository on github.com, or an admin listed the entity in
 * `allowed` (entity refs, lower case) for a slug that points elsewhere
 * (a monorepo's components registered from a central catalog file).
 * Anything else is a component claiming another team's repository, and
 * gets undefined.
 */
export function trustedProjectSlug(
  entity: Entity,
  allowed: ReadonlySet<string> = new Set(),
  entityRef?: string,
): string | undefined {
  const slug = entity.metadata.annotations?.[PROJECT_SLUG_ANNOTATION];
  if (!slug || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(slug)) {
    return undefined;
  }
  if (entityRef && allowed.has(entityRef.toLowerCase())) {
    return slug;
  }
  const source = sourceRepositoryOf(entity);
  return source === `github.com/${slug}`.toLowerCase() ? slug : undefined;
}
