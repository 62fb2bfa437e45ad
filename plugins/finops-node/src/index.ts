/**
 * Extension points and permission rules of the FinOps backend: cost sources
 * plug in here, and policies build their conditions from here.
 *
 * @packageDocumentation
 */
export * from './permissions';
export * from './sources';
