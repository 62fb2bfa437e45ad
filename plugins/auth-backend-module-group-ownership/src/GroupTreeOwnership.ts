import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_MEMBER_OF,
  RELATION_PARENT_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AuthOwnershipResolver } from '@backstage/plugin-auth-node';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Deeper group trees than this are cut off (and a cycle cannot loop). */
const MAX_DEPTH = 10;

/**
 * Ownership of a user: the user, the groups they are a member of, and every
 * group below those (along `spec.children`, i.e. parentOf relations).
 */
export class GroupTreeOwnership implements AuthOwnershipResolver {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async resolveOwnershipEntityRefs(
    entity: Entity,
  ): Promise<{ ownershipEntityRefs: string[] }> {
    const targets = (type: string, e?: Entity) =>
      (e?.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

    const refs = new Set<string>([stringifyEntityRef(entity)]);
    let frontier = targets(RELATION_MEMBER_OF, entity);
    frontier.forEach(ref => refs.add(ref));

    const credentials = await this.auth.getOwnServiceCredentials();
    for (let depth = 0; frontier.length && depth < MAX_DEPTH; depth++) {
      const { items } = await this.catalog.getEntitiesByRefs(
        { entityRefs: frontier, fields: ['relations'] },
        { credentials },
      );
      frontier = items
        .flatMap(group => targets(RELATION_PARENT_OF, group))
        .filter(ref => !refs.has(ref));
      frontier.forEach(ref => refs.add(ref));
    }
    return { ownershipEntityRefs: [...refs] };
  }
}
