/**
 * The SRE backend plugin.
 *
 * @packageDocumentation
 */
export { srePlugin as default } from './plugin';
