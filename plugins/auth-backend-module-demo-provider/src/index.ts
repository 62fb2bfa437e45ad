/**
 * A local-only sign-in provider that lets a person choose which catalog user
 * to be.
 *
 * @packageDocumentation
 */
export { authModuleDemoProvider as default } from './module';
export type { DemoUser } from './provider';
