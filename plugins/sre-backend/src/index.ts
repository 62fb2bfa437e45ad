/**
 * The SRE backend plugin.
 *
 * @packageDocumentation
 */
export { srePlugin as default } from './plugin';
export { secopsModuleSreChecks, sloCheck } from './scorecardCheck';
