/**
 * The embedded default's SecOps demo: real scanner reports for the demo
 * organisation, loaded through the same ingestion as CI uploads. Not part
 * of the production backend.
 *
 * @packageDocumentation
 */
export { secopsModuleDemo as default } from './module';
export { loadDemoReports, readDemoReports } from './demoReports';
export type { DemoReport } from './demoReports';
