import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Read the security findings of a catalog entity. A resource permission on
 * catalog entities, so the policy can say "only what your teams own".
 */
export const secopsFindingsReadPermission = createPermission({
  name: 'secops.findings.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Upload a scanner report for a catalog entity. CI uploads as a service;
 * people may upload for what their teams own.
 */
export const secopsReportUploadPermission = createPermission({
  name: 'secops.report.upload',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/** Ask for an exemption on a finding of a catalog entity: its owners. */
export const secopsExemptionRequestPermission = createPermission({
  name: 'secops.exemption.request',
  attributes: { action: 'create' },
  resourceType: 'catalog-entity',
});

/**
 * Assign a finding of a catalog entity to a person (a member of its owning
 * team), or take the assignment back: its owners and the security team.
 */
export const secopsFindingAssignPermission = createPermission({
  name: 'secops.finding.assign',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/** Approve or reject exemptions: the security team. */
export const secopsExemptionDecidePermission = createPermission({
  name: 'secops.exemption.decide',
  attributes: { action: 'update' },
});

/** The organisation-wide views: every team, top risks, exposure search. */
export const secopsOrganisationReadPermission = createPermission({
  name: 'secops.organisation.read',
  attributes: { action: 'read' },
});

/**
 * Change the gate policies (and preview a change): the security team only,
 * not the portal admins, who run the portal but do not own its policy.
 */
export const secopsGatePolicyManagePermission = createPermission({
  name: 'secops.gatePolicy.manage',
  attributes: { action: 'update' },
});

/** Every permission of the SecOps plugin. */
export const secopsPermissions = [
  secopsFindingsReadPermission,
  secopsReportUploadPermission,
  secopsExemptionRequestPermission,
  secopsFindingAssignPermission,
  secopsExemptionDecidePermission,
  secopsOrganisationReadPermission,
  secopsGatePolicyManagePermission,
];
