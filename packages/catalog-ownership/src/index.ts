/**
 * Catalog ownership roll-ups shared by the portal's backend plugins: a group,
 * the groups below it, and what they own.
 *
 * @packageDocumentation
 */
export { GroupHierarchy, refsOf } from './GroupHierarchy';
export { GroupTree } from './GroupTree';
export type { GroupNode } from './GroupTree';
export {
  PROJECT_SLUG_ANNOTATION,
  repositoryOfLocation,
  sourceRepositoryOf,
  trustedProjectSlug,
} from './repository';
export type { RepositoryOptions } from './repository';
export { MACHINE_GRANTS, MachineIdentities } from './MachineIdentities';
export type {
  Caller,
  CiIdentityRule,
  MachineGrant,
  MachineIdentityOptions,
} from './MachineIdentities';
