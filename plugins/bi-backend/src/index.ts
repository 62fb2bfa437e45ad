/**
 * The BI backend plugin.
 *
 * @packageDocumentation
 */
export { biPlugin as default } from './plugin';
