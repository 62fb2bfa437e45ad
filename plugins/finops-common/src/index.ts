/**
 * Types and permissions shared by the FinOps frontend and backend, and the
 * FinOps backend's generated client and models (`DefaultApiClient`, from
 * plugins/finops-backend/src/schema/openapi.yaml).
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
export * from './schema/openapi';
