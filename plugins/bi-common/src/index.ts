/**
 * Types and helpers of the BI plugin: dashboards declared on catalog
 * entities, and the BI backend's generated client and models
 * (`DefaultApiClient`, from plugins/bi-backend/src/schema/openapi.yaml).
 *
 * @packageDocumentation
 */
export * from './dashboards';
export * from './economics';
export * from './schema/openapi';
