/**
 * Ownership of a signed-in user includes their groups' subtrees.
 *
 * @packageDocumentation
 */
export { authModuleGroupOwnership as default } from './module';
export { GroupTreeOwnership } from './GroupTreeOwnership';
