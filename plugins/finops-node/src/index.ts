/**
 * Extension points and permission rules of the FinOps backend: cost sources
 * plug in here, and policies build their conditions from here; other
 * backend plugins read FinOps' cost through finopsCostsServiceRef; the
 * golden path's price list (templates/iac/sizes.yaml) is read here, for the
 * scaffolder and for FinOps' estimates.
 *
 * @packageDocumentation
 */
export * from './costs';
export * from './permissions';
export * from './sources';
export * from './sizes';
