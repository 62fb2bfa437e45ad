/**
 * Search: the BI dashboards declared on catalog entities.
 *
 * @packageDocumentation
 */
export { searchModuleBiDashboards as default } from './module';
export { DashboardCollatorFactory } from './collator';
export type { DashboardDocument } from './collator';
