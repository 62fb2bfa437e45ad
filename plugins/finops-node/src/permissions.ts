import {
  createConditionExports,
  createPermissionResourceRef,
  makeCreatePermissionRule,
} from '@backstage/plugin-permission-node';
import { FINOPS_COST_RESOURCE_TYPE } from '@portal/plugin-finops-common';
import { z } from 'zod/v3';

/**
 * What a cost permission is decided on: the cost of one catalog entity (its
 * owner is the entity's `spec.owner`) or the rolled-up cost of a group (its
 * owner is the group itself).
 */
export interface FinopsCostResource {
  /** The entity or group whose cost it is. */
  ref: string;
  /** Who owns it, as an entity ref. */
  ownerRef: string;
}

/** The database filter a condition turns into: owners allowed. */
export interface FinopsCostFilter {
  ownerRefs: string[];
}

/** The FinOps cost resource type, for the permissions registry. */
export const finopsCostResourceRef = createPermissionResourceRef<
  FinopsCostResource,
  FinopsCostFilter
>().with({ pluginId: 'finops', resourceType: FINOPS_COST_RESOURCE_TYPE });

const createRule = makeCreatePermissionRule<
  FinopsCostResource,
  FinopsCostFilter,
  typeof FINOPS_COST_RESOURCE_TYPE
>();

/** The cost is owned by one of the claims (the user and their groups). */
const hasOwner = createRule({
  name: 'HAS_OWNER',
  description:
    'Allow cost figures owned by one of the given entity refs (users or groups)',
  resourceType: FINOPS_COST_RESOURCE_TYPE,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs of the user and the groups they own through'),
  }),
  apply: (resource, { claims }) =>
    claims.some(
      claim => claim.toLowerCase() === resource.ownerRef.toLowerCase(),
    ),
  toQuery: ({ claims }) => ({
    ownerRefs: claims.map(claim => claim.toLowerCase()),
  }),
});

/** The permission rules of FinOps costs. */
export const finopsCostRules = { hasOwner };

/** Conditions for policies: `finopsCostConditions.hasOwner({ claims })`. */
export const {
  conditions: finopsCostConditions,
  createConditionalDecision: createFinopsCostConditionalDecision,
} = createConditionExports({
  resourceRef: finopsCostResourceRef,
  rules: finopsCostRules,
});
