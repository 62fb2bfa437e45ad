import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CatalogOwnership,
  OwnershipService,
  sourceRepositoryOf,
} from '@portal/catalog-ownership';
import path from 'node:path';

export const DEFAULT_ADMINS = ['group:default/team-platform'];

/** The admin groups of the portal's policy (`permission.portalPolicy.admins`). */
export function adminGroupsFromConfig(config: Config): string[] {
  return (
    config.getOptionalStringArray('permission.portalPolicy.admins') ??
    DEFAULT_ADMINS
  ).map(ref => normalizeRef(ref, 'group', 'default'));
}

function normalizeRef(ref: string, kind: string, namespace: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: kind, defaultNamespace: namespace }),
  ).toLowerCase();
}

/** Targets of one relation type, or the spec field it comes from. */
function related(
  entity: Entity | undefined,
  relation: string,
  specField: string,
): string[] {
  if (!entity) return [];
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === relation)
    .map(r => r.targetRef.toLowerCase());
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const raw = spec[specField];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const fromSpec = list
    .filter((v): v is string => typeof v === 'string')
    .map(v => {
      try {
        return normalizeRef(v, 'group', entity.metadata.namespace ?? 'default');
      } catch {
        return undefined;
      }
    })
    .filter((v): v is string => !!v);
  return [...new Set([...fromRelations, ...fromSpec])];
}

/** Who runs a template, as the golden path sees them. */
export interface Caller {
  /** user:namespace/name, lower case. */
  ref: string;
  /** The groups they are a member of. */
  groups: string[];
  /**
   * What they own through: themselves, their groups and every group below
   * those (the portal's ownership at sign-in).
   */
  owners: Set<string>;
  /** A member of an admin group, or of a group below one. */
  isAdmin: boolean;
}

/**
 * Catalog look-ups the golden path's checks need, with the module's own
 * credentials (so that what the caller may not see cannot make a repository
 * look unclaimed).
 */
export class Ownership {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly admins: string[],
    private readonly hierarchy: OwnershipService = new CatalogOwnership(
      catalog,
      auth,
    ),
  ) {}

  private credentials(): Promise<BackstageCredentials> {
    return this.auth.getOwnServiceCredentials();
  }

  /** The caller of a task, from the user ref the scaffolder gives. */
  async caller(userRef: string | undefined): Promise<Caller> {
    if (!userRef) {
      return { ref: '', groups: [], owners: new Set(), isAdmin: false };
    }
    const ref = userRef.toLowerCase();
    const user = await this.catalog.getEntityByRef(ref, {
      credentials: await this.credentials(),
    });
    const groups = related(user, RELATION_MEMBER_OF, 'memberOf');
    const below = new Set(await this.hierarchy.withDescendants(groups));
    const above = new Set(await this.hierarchy.withAncestors(groups));
    return {
      ref,
      groups,
      owners: new Set([ref, ...below]),
      isAdmin: this.admins.some(admin => above.has(admin)),
    };
  }

  /** An entity by ref, if it exists and is of that kind. */
  async entity(ref: string, kind: string): Promise<Entity | undefined> {
    let canonical: string;
    try {
      canonical = normalizeRef(ref, kind, 'default');
    } catch {
      return undefined;
    }
    if (parseEntityRef(canonical).kind !== kind.toLowerCase()) return undefined;
    return this.catalog.getEntityByRef(canonical, {
      credentials: await this.credentials(),
    });
  }

  /** The owner refs of an entity, lower case. */
  ownersOf(entity: Entity): string[] {
    const fromRelations = (entity.relations ?? [])
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => r.targetRef.toLowerCase());
    const owner = entity.spec?.owner;
    const fromSpec =
      typeof owner === 'string'
        ? [normalizeRef(owner, 'group', entity.metadata.namespace ?? 'default')]
        : [];
    return [...new Set([...fromRelations, ...fromSpec])];
  }

  /**
   * The entities that say they come from a repository: those registered
   * from a file in a local repository's folder, and those naming a GitHub
   * repository in `github.com/project-slug`. Locations (no owner) are left
   * out.
   */
  async claimsOn(
    repository:
      | { target: 'local'; path: string }
      | { target: 'github'; slug: string },
  ): Promise<Entity[]> {
    const credentials = await this.credentials();
    let filter: Record<string, string>[];
    if (repository.target === 'local') {
      const location = `file:${path.join(
        repository.path,
        'catalog-info.yaml',
      )}`;
      filter = [
        { [`metadata.annotations.${ANNOTATION_LOCATION}`]: location },
        { [`metadata.annotations.${ANNOTATION_ORIGIN_LOCATION}`]: location },
      ];
    } else {
      filter = [
        { 'metadata.annotations.github.com/project-slug': repository.slug },
      ];
    }
    const { items } = await this.catalog.getEntities(
      { filter },
      { credentials },
    );
    return items.filter(e => e.kind.toLowerCase() !== 'location');
  }
}

/**
 * Whether an entity was registered from that GitHub repository itself (its
 * origin location is a URL into github.com/owner/name), which is what makes
 * its `github.com/project-slug` trustworthy.
 */
export function registeredFromGithub(entity: Entity, slug: string): boolean {
  return sourceRepositoryOf(entity) === `github.com/${slug}`.toLowerCase();
}
