import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The resource type of cost figures: the cost of one catalog entity, or the
 * rolled-up cost of a group. The policy answers with conditions on the
 * owner, which the FinOps backend turns into database filters.
 */
export const FINOPS_COST_RESOURCE_TYPE = 'finops-cost';

/**
 * Read cost figures. Developers see what their teams own, managers their
 * group and its sub-groups, the finance group everything.
 */
export const finopsCostReadPermission = createPermission({
  name: 'finops.cost.read',
  attributes: { action: 'read' },
  resourceType: FINOPS_COST_RESOURCE_TYPE,
});

/**
 * The organisation-wide views: cost by department and product, unattributed
 * spend, allocation rules, purchase recommendations, CSV export.
 */
export const finopsOrganisationReadPermission = createPermission({
  name: 'finops.organisation.read',
  attributes: { action: 'read' },
});

/** Import billing data (FOCUS files) and set budgets: finance and admins. */
export const finopsManagePermission = createPermission({
  name: 'finops.manage',
  attributes: { action: 'update' },
});

/** Every permission of the FinOps plugin. */
export const finopsPermissions = [
  finopsCostReadPermission,
  finopsOrganisationReadPermission,
  finopsManagePermission,
];
