/**
 * The portal's permission policy: who may read, edit and delete what.
 *
 * @packageDocumentation
 */
export { permissionModulePortalPolicy as default } from './module';
export { PortalPermissionPolicy, readPortalPolicyOptions } from './policy';
export type { PortalPolicyOptions, RoleGroupsResolver } from './policy';
