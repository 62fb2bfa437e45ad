/**
 * Types, permissions and error-budget arithmetic of the SRE plugin.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './budget';
export * from './types';
