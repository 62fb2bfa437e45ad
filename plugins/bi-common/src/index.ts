/**
 * Types and helpers of the BI plugin: dashboards declared on catalog
 * entities.
 *
 * @packageDocumentation
 */
export * from './dashboards';
export * from './economics';
