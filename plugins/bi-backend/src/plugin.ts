import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { biProductReadPermission } from '@portal/plugin-bi-common';
import { finopsCostsServiceRef } from '@portal/plugin-finops-node';
import { ProductEconomicsService } from './metrics/economics';
import { finopsCostReader } from './metrics/finopsCost';
import { MetricReader, readMetricDefinitions } from './metrics/metrics';
import { createRouter } from './api/router';
import { BiService } from './service/BiService';
import { registerBiActions } from './service/actions';
import {
  EntityAuthorization,
  MachineIdentities,
} from '@portal/catalog-ownership';

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
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        finopsCosts: finopsCostsServiceRef,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions([biProductReadPermission]);
        const reader = new MetricReader(
          deps.config,
          process.cwd(),
          deps.logger,
        );
        deps.lifecycle.addShutdownHook(() => reader.close());
        const economics = new ProductEconomicsService(
          readMetricDefinitions(deps.config),
          reader,
          finopsCostReader(deps),
        );
        const bi = new BiService({
          ...deps,
          economics,
          authorization: new EntityAuthorization(deps.permissions),
          machines: MachineIdentities.fromConfig(deps.config),
        });
        deps.httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, bi }),
        );
        // The same answers for assistants, over MCP.
        registerBiActions(deps.actionsRegistry, bi);
      },
    });
  },
});
