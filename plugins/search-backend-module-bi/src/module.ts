import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { DashboardCollatorFactory } from './collator';

/** Indexes BI dashboards for Backstage search, every 30 minutes. */
export const searchModuleBiDashboards = createBackendModule({
  pluginId: 'search',
  moduleId: 'bi-dashboards',
  register(reg) {
    reg.registerInit({
      deps: {
        indexRegistry: searchIndexRegistryExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
      },
      async init({ indexRegistry, catalog, auth, scheduler }) {
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner({
            frequency: { minutes: 30 },
            timeout: { minutes: 5 },
            initialDelay: { seconds: 20 },
          }),
          factory: new DashboardCollatorFactory(catalog, auth),
        });
      },
    });
  },
});
