/**
 * Types and permissions shared by the SecOps plugins, and the SecOps
 * backend's generated client and models (`DefaultApiClient`, from
 * plugins/secops-backend/src/schema/openapi.yaml).
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
export * from './schema/openapi';
