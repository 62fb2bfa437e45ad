/**
 * FinOps cost source: Kubernetes spend from OpenCost, attributed by the
 * workloads' cost-entity label.
 *
 * @packageDocumentation
 */
export { finopsModuleOpenCost as default } from './module';
export {
  entityRefOfLabel,
  OpenCostSource,
  promLabelName,
} from './OpenCostSource';
export type { OpenCostOptions } from './OpenCostSource';
