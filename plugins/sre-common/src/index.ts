/**
 * Types, permissions and error-budget arithmetic of the SRE plugin, and the
 * SRE backend's generated client and models (`DefaultApiClient`, from
 * plugins/sre-backend/src/schema/openapi.yaml).
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './budget';
export * from './types';
export * from './schema/openapi';
