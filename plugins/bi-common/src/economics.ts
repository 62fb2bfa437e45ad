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

/** A business metric's monthly values for a product. */
export interface MetricSeries {
  name: string;
  title: string;
  /** What one of it is ("order", "active user"), for "cost per …". */
  unit: string;
  values: Array<number | null>;
  /** Cloud cost per unit, month by month (null where the metric is 0 or missing). */
  unitCost: Array<number | null>;
}

/** A product's cost and business metrics, month by month. */
export interface ProductEconomics {
  ref: string;
  currency: string;
  months: string[];
  cost: number[];
  metrics: MetricSeries[];
  /** Metric sources that failed, with what went wrong. */
  errors: Array<{ metric: string; message: string }>;
  demo: boolean;
}
