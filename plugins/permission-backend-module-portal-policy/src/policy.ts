import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { Config } from '@backstage/config';

/** Who the portal's policy treats specially, read from configuration. */
export interface PortalPolicyOptions {
  /**
   * Entity refs (groups or users) whose members administer the portal: they
   * may delete and refresh any entity and remove locations.
   */
  admins: string[];
}

const DEFAULT_ADMINS = ['group:default/team-platform'];

/** Reads `permission.portalPolicy` from the app configuration. */
export function readPortalPolicyOptions(config: Config): PortalPolicyOptions {
  const admins = config.getOptionalStringArray(
    'permission.portalPolicy.admins',
  );
  return { admins: (admins ?? DEFAULT_ADMINS).map(ref => ref.toLowerCase()) };
}

const allow = (): PolicyDecision => ({ result: AuthorizeResult.ALLOW });
const deny = (): PolicyDecision => ({ result: AuthorizeResult.DENY });

/**
 * The portal's permission policy.
 *
 * - Nobody without a user identity gets anything a user would need a policy
 *   for (service-to-service calls do not reach the policy).
 * - Everyone signed in may read the catalog and use the portal.
 * - Entities may be deleted or refreshed by their owners (a database filter
 *   on the entity's owner) and by the portal admins.
 * - Catalog locations may only be removed by the portal admins.
 * - Any other action whose name says it deletes something is for admins only;
 *   what is left is allowed.
 *
 * Plugins with data of their own (security findings, cost) add their rules
 * here as they arrive.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(private readonly options: PortalPolicyOptions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return deny();
    }
    const claims = user.info.ownershipEntityRefs.map(ref => ref.toLowerCase());
    const isAdmin = claims.some(ref => this.options.admins.includes(ref));
    const { permission } = request;

    if (
      isPermission(permission, catalogEntityDeletePermission) ||
      isPermission(permission, catalogEntityRefreshPermission)
    ) {
      if (isAdmin) {
        return allow();
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

    if (isPermission(permission, catalogLocationDeletePermission)) {
      return isAdmin ? allow() : deny();
    }

    if (permission.attributes.action === 'delete') {
      return isAdmin ? allow() : deny();
    }

    return allow();
  }
}
