/**
 * Types and permissions shared by the SecOps plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './permissions';
