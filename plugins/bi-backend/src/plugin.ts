import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createRouter } from './router';

/**
 * The BI backend: the dashboards declared on catalog entities, for the BI
 * hub.
 *
 * @public
 */
export const biPlugin = createBackendPlugin({
  pluginId: 'bi',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        deps.httpRouter.use(await createRouter(deps));
      },
    });
  },
});
