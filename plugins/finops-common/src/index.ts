/**
 * Types and permissions shared by the FinOps frontend and backend.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './types';
