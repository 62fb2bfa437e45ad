/**
 * The embedded default's FinOps demo: a generated year of spend for the
 * demo organisation, as a cost source. Not part of the production backend.
 *
 * @packageDocumentation
 */
export { finopsModuleDemo as default } from './module';
export { DEMO_SOURCE_ID, DemoSpendSource } from './DemoSpendSource';
export type { DemoSpendSourceOptions } from './DemoSpendSource';
export { demoCostRows } from './demoSpend';
export type { DemoEntity, DemoSpendOptions } from './demoSpend';
