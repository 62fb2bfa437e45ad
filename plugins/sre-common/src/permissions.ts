import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read an entity's SLOs, error budgets, burn rates, delivery measures and
 * alerts: a permission on the catalog entity they belong to, so that a
 * policy may answer with conditions (isEntityOwner, …). Reliability is
 * shared data: the portal's policy lets everyone signed in read it, so
 * developers and SRE look at the same numbers.
 */
export const sreReliabilityReadPermission = createPermission({
  name: 'sre.reliability.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/** Evaluate SLOs on demand (outside the schedule): the portal admins. */
export const sreManagePermission = createPermission({
  name: 'sre.manage',
  attributes: { action: 'update' },
});

/** Every permission of the SRE plugin. */
export const srePermissions = [
  sreReliabilityReadPermission,
  sreManagePermission,
];
