import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read SLOs, error budgets, burn rates and alerts. Reliability is shared
 * data: the portal's policy lets everyone signed in read it, so developers
 * and SRE look at the same numbers.
 */
export const sreReliabilityReadPermission = createPermission({
  name: 'sre.reliability.read',
  attributes: { action: 'read' },
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
