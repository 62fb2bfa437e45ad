/**
 * Catalog ownership shared by the portal's backend plugins: the ownership
 * service (a group, the groups below and above it, what they own, from one
 * cached group tree), the one catalog pagination loop, repository trust and
 * machine identities.
 *
 * @packageDocumentation
 */
export {
  CatalogOwnership,
  ownerRefsOf,
  ownershipServiceRef,
  refsOf,
} from './OwnershipService';
export type {
  OwnedEntitiesOptions,
  OwnershipService,
} from './OwnershipService';
export { GROUP_TREE_FIELDS, GroupTree } from './GroupTree';
export type { GroupNode } from './GroupTree';
export {
  CATALOG_PAGE,
  entityPages,
  fromCatalog,
  readAllEntities,
} from './readAll';
export type { CatalogQuery } from './readAll';
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
export { EntityAuthorization } from './EntityAuthorization';
export type { EntityDecision, EntityPermission } from './EntityAuthorization';
