/**
 * The Ask page: the portal's assistant.
 *
 * @packageDocumentation
 */
export { assistantPlugin as default } from './plugin';
