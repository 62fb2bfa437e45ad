/**
 * FinOps cost source: AWS Cost Explorer.
 *
 * @packageDocumentation
 */
export { finopsModuleAws as default } from './module';
export { CostExplorerSource, COST_METRICS } from './CostExplorerSource';
export type { CostExplorerOptions, CostMetric } from './CostExplorerSource';
