import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { authProvidersExtensionPoint } from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createDemoAuthProviderFactory } from './provider';

/**
 * Registers the `demo` sign-in provider with the auth backend. The auth
 * backend only starts providers named under `auth.providers`, so the provider
 * exists only where the local configuration declares `auth.providers.demo`.
 */
export const authModuleDemoProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
      },
      async init({ providers, catalog, auth }) {
        providers.registerProvider({
          providerId: 'demo',
          factory: createDemoAuthProviderFactory({ catalog, auth }),
        });
      },
    });
  },
});
