import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ownershipServiceRef } from '@portal/catalog-ownership';
import { PortalPermissionPolicy, readPortalPolicyOptions } from './policy';

/** Installs the portal's own permission policy in the permission backend. */
export const permissionModulePortalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        ownership: ownershipServiceRef,
        cache: coreServices.cache,
      },
      async init({ policy, config, ownership, cache }) {
        // Roles change rarely; a minute of caching keeps policy decisions off
        // the catalog's hot path.
        const roleGroupsOf = async (userEntityRef: string) => {
          const key = `role-groups:${userEntityRef}`;
          const cached = (await cache.get(key)) as string[] | undefined;
          if (cached) return cached;
          const found = await ownership.roleGroupsOf(userEntityRef);
          await cache.set(key, found, { ttl: { minutes: 1 } });
          return found;
        };
        policy.setPolicy(
          new PortalPermissionPolicy(
            readPortalPolicyOptions(config),
            roleGroupsOf,
          ),
        );
      },
    });
  },
});
