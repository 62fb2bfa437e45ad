import { createPermission } from '@backstage/plugin-permission-common';

/**
 * See a product's (system's or domain's) economics: its total cloud cost
 * next to business metrics. Product totals only, no per-team detail. A
 * permission on the product's catalog entity, so that a policy may answer
 * with conditions (the portal's gives it by role).
 */
export const biProductReadPermission = createPermission({
  name: 'bi.product.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

// MetricSeries and ProductEconomics (what GET
// /products/{kind}/{namespace}/{name}/economics answers) are the spec's
// (plugins/bi-backend/src/schema/openapi.yaml), generated into
// ./schema/openapi.
