/**
 * Extension points and permission rules of the FinOps backend: cost sources
 * plug in here, and policies build their conditions from here; other
 * backend plugins read FinOps' cost through finopsCostsServiceRef.
 *
 * @packageDocumentation
 */
export * from './costs';
export * from './permissions';
export * from './sources';
