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
import { biProductReadPermission } from '@portal/plugin-bi-common';
import {
  sreManagePermission,
  sreReliabilityReadPermission,
} from '@portal/plugin-sre-common';
import {
  finopsCostReadPermission,
  finopsManagePermission,
  finopsOrganisationReadPermission,
} from '@portal/plugin-finops-common';
import {
  createFinopsCostConditionalDecision,
  finopsCostConditions,
} from '@portal/plugin-finops-node';
import {
  secopsExemptionDecidePermission,
  secopsGatePolicyManagePermission,
  secopsExemptionRequestPermission,
  secopsFindingAssignPermission,
  secopsFindingsReadPermission,
  secopsOrganisationReadPermission,
  secopsReportUploadPermission,
} from '@portal/plugin-secops-common';

/**
 * The groups a user's roles come from: the groups they are a member of and
 * the groups above those. Not their ownership, which also reaches down into
 * sub-groups: a department head owns what the platform team owns, but is not
 * a platform admin for it.
 */
export type RoleGroupsResolver = (userEntityRef: string) => Promise<string[]>;

/** Who the portal's policy treats specially, read from configuration. */
export interface PortalPolicyOptions {
  /**
   * Entity refs (groups or users) whose members administer the portal: they
   * may delete and refresh any entity and remove locations.
   */
  admins: string[];
  /**
   * Entity refs whose members are the security organisation: they see and
   * act on every entity's security data.
   */
  security: string[];
  /**
   * Entity refs whose members are finance: they see every team's cost and
   * the organisation's FinOps views, import billing data and set budgets.
   */
  finance: string[];
  /**
   * Entity refs whose members are the business side: they see product
   * economics (product totals, not per-team detail).
   */
  business: string[];
}

const DEFAULT_ADMINS = ['group:default/team-platform'];
const DEFAULT_SECURITY = ['group:default/security'];
const DEFAULT_FINANCE = ['group:default/finance'];
const DEFAULT_BUSINESS = ['group:default/business'];

/** Reads `permission.portalPolicy` from the app configuration. */
export function readPortalPolicyOptions(config: Config): PortalPolicyOptions {
  const read = (key: string, fallback: string[]) =>
    (
      config.getOptionalStringArray(`permission.portalPolicy.${key}`) ??
      fallback
    ).map(ref => ref.toLowerCase());
  return {
    admins: read('admins', DEFAULT_ADMINS),
    security: read('security', DEFAULT_SECURITY),
    finance: read('finance', DEFAULT_FINANCE),
    business: read('business', DEFAULT_BUSINESS),
  };
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
 * - Security findings of an entity are seen, and reports for it uploaded, by
 *   its owners and by the security organisation (CI uploads as a service,
 *   which the policy is not asked about). Owners ask for exemptions; only
 *   the security organisation approves or rejects them.
 * - Cost is seen by the owners (including a department head, through the
 *   groups below them: a condition the FinOps backend turns into a filter)
 *   and by finance and the admins; the organisation's FinOps views, billing
 *   imports and budgets are for finance and the admins.
 * - Reliability (SLOs, error budgets, alerts) is read by everyone signed in;
 *   evaluating SLOs by hand is for the admins.
 * - Product economics (a product's total cost next to business metrics) are
 *   for the business side, finance and the admins.
 * - Any other action whose name says it deletes something is for admins only;
 *   what is left is allowed.
 *
 * Plugins with data of their own (security findings, cost) add their rules
 * here as they arrive.
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: PortalPolicyOptions,
    private readonly roleGroupsOf: RoleGroupsResolver,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return deny();
    }
    const claims = user.info.ownershipEntityRefs.map(ref => ref.toLowerCase());
    const roles = [
      user.info.userEntityRef.toLowerCase(),
      ...(await this.roleGroupsOf(user.info.userEntityRef)).map(ref =>
        ref.toLowerCase(),
      ),
    ];
    const isAdmin = roles.some(ref => this.options.admins.includes(ref));
    const isSecurity = roles.some(ref => this.options.security.includes(ref));
    const isFinance = roles.some(ref => this.options.finance.includes(ref));
    const isBusiness = roles.some(ref => this.options.business.includes(ref));
    const { permission } = request;

    // Reliability is shared data: everyone signed in reads it.
    if (isPermission(permission, sreReliabilityReadPermission)) {
      return allow();
    }
    if (isPermission(permission, sreManagePermission)) {
      return isAdmin ? allow() : deny();
    }

    if (isPermission(permission, biProductReadPermission)) {
      return isAdmin || isFinance || isBusiness ? allow() : deny();
    }

    if (isPermission(permission, finopsCostReadPermission)) {
      if (isAdmin || isFinance) {
        return allow();
      }
      return createFinopsCostConditionalDecision(
        permission,
        finopsCostConditions.hasOwner({ claims }),
      );
    }

    if (
      isPermission(permission, finopsOrganisationReadPermission) ||
      isPermission(permission, finopsManagePermission)
    ) {
      return isAdmin || isFinance ? allow() : deny();
    }

    if (
      isPermission(permission, secopsExemptionDecidePermission) ||
      isPermission(permission, secopsGatePolicyManagePermission)
    ) {
      return isSecurity ? allow() : deny();
    }

    if (isPermission(permission, secopsOrganisationReadPermission)) {
      return isSecurity || isAdmin ? allow() : deny();
    }

    if (
      isPermission(permission, secopsFindingsReadPermission) ||
      isPermission(permission, secopsReportUploadPermission) ||
      isPermission(permission, secopsExemptionRequestPermission) ||
      isPermission(permission, secopsFindingAssignPermission)
    ) {
      if (isAdmin || isSecurity) {
        return allow();
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims }),
      );
    }

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
