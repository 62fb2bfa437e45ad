/**
 * The embedded default's SRE demo: a local Prometheus with backfilled demo
 * traffic, as an SLI source of the SRE backend, scraping the backend's live
 * demo metrics. Not part of the production backend.
 *
 * @packageDocumentation
 */
export { sreModuleDemo as default } from './module';
export { DEMO_METRICS_PATH } from './module';
export { DemoExporter } from './DemoExporter';
export { LocalPrometheus, prometheusInstalled } from './LocalPrometheus';
export type { LocalPrometheusOptions } from './LocalPrometheus';
export { DEMO_HISTORY_DAYS, startDemoPrometheus } from './demoPrometheus';
export { DEMO_SERVICES, demoSamples, openMetricsOf } from './demoTraffic';
export type { Counters, DemoService } from './demoTraffic';
