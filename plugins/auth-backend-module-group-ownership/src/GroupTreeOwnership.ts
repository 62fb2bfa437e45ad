import {
  Entity,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { AuthOwnershipResolver } from '@backstage/plugin-auth-node';
import { GroupHierarchy } from '@portal/catalog-ownership';

/**
 * Ownership of a user: the user, the groups they are a member of, and every
 * group below those.
 */
export class GroupTreeOwnership implements AuthOwnershipResolver {
  constructor(private readonly groups: GroupHierarchy) {}

  async resolveOwnershipEntityRefs(
    entity: Entity,
  ): Promise<{ ownershipEntityRefs: string[] }> {
    const memberOf = (entity.relations ?? [])
      .filter(r => r.type === RELATION_MEMBER_OF)
      .map(r => r.targetRef);
    return {
      ownershipEntityRefs: [
        stringifyEntityRef(entity),
        ...(await this.groups.withDescendants(memberOf)),
      ],
    };
  }
}
