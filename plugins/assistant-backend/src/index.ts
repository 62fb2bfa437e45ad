/**
 * The assistant backend plugin.
 *
 * @packageDocumentation
 */
export { assistantPlugin as default } from './plugin';
