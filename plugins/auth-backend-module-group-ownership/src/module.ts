import { createBackendModule } from '@backstage/backend-plugin-api';
import { authOwnershipResolutionExtensionPoint } from '@backstage/plugin-auth-node';
import { ownershipServiceRef } from '@portal/catalog-ownership';
import { GroupTreeOwnership } from './GroupTreeOwnership';

/**
 * Signs people in with ownership of their groups' whole subtree: a member of
 * a department owns, for every permission check and for the catalog's
 * "Owned" filter, what its teams own. This is how a manager sees their
 * group's data.
 */
export const authModuleGroupOwnership = createBackendModule({
  pluginId: 'auth',
  moduleId: 'group-ownership',
  register(reg) {
    reg.registerInit({
      deps: {
        ownership: authOwnershipResolutionExtensionPoint,
        groups: ownershipServiceRef,
      },
      async init({ ownership, groups }) {
        ownership.setAuthOwnershipResolver(new GroupTreeOwnership(groups));
      },
    });
  },
});
