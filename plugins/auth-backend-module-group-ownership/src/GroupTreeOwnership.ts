import { Entity } from '@backstage/catalog-model';
import { AuthOwnershipResolver } from '@backstage/plugin-auth-node';
import { OwnershipService } from '@portal/catalog-ownership';

/**
 * Ownership of a user: the user, the groups they are a member of, and every
 * group below those.
 */
export class GroupTreeOwnership implements AuthOwnershipResolver {
  constructor(private readonly ownership: OwnershipService) {}

  async resolveOwnershipEntityRefs(
    entity: Entity,
  ): Promise<{ ownershipEntityRefs: string[] }> {
    return {
      ownershipEntityRefs: await this.ownership.ownershipRefsOf(entity),
    };
  }
}
