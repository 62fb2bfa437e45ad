import {
  coreServices,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  MachineIdentities,
  ownershipServiceRef,
} from '@portal/catalog-ownership';
import { finopsPermissions } from '@portal/plugin-finops-common';
import {
  CostSource,
  finopsCostResourceRef,
  finopsCostRules,
  finopsCostSourcesExtensionPoint,
  readSizeCatalogue,
  sizeCatalogueFile,
} from '@portal/plugin-finops-node';
import { createFinopsStores } from './database/createFinopsStores';
import { CostCatalog } from './service/CostCatalog';
import { CostImporter } from './service/CostImporter';
import { CostDigest } from './service/CostDigest';
import { CostService } from './service/CostService';
import { OrganisationCostService } from './service/OrganisationCostService';
import { readFinopsOptions } from './service/options';
import { createRouter } from './api/router';
import { FinopsAccess } from './api/access';
import { FinopsReader } from './service/FinopsReader';
import { registerFinopsActions } from './service/actions';

/**
 * The FinOps backend: cloud cost attributed to catalog entities, rolled up
 * by ownership, visible by role.
 *
 * @public
 */
export const finopsPlugin = createBackendPlugin({
  pluginId: 'finops',
  register(env) {
    const sources: CostSource[] = [];
    env.registerExtensionPoint(finopsCostSourcesExtensionPoint, {
      addCostSource(source) {
        sources.push(source);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        ownership: ownershipServiceRef,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        notifications: notificationService,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        // The views mark the figures as demo data when a source's are (the
        // embedded default's demo module).
        const options = readFinopsOptions(
          deps.config,
          sources.some(s => s.demo),
        );
        const stores = await createFinopsStores({ database: deps.database });
        const catalog = new CostCatalog(deps.ownership);
        const importer = new CostImporter(
          stores,
          options,
          catalog,
          deps.logger,
          deps.notifications,
        );
        const costOptions = {
          currency: options.currency,
          demo: options.demo,
          allocation: options.allocation,
        };
        const costs = new CostService(stores, costOptions);
        const organisation = new OrganisationCostService(
          stores,
          costOptions,
          costs,
        );
        deps.permissionsRegistry.addResourceType({
          resourceRef: finopsCostResourceRef,
          permissions: finopsPermissions,
          rules: Object.values(finopsCostRules),
        });
        const machines = MachineIdentities.fromConfig(deps.config);
        const access = new FinopsAccess({ ...deps, machines, catalog });
        // One reader for the routes and the actions assistants call; the
        // golden path's price list is read where the scaffolder reads it.
        const sizesFile = sizeCatalogueFile(deps.config);
        const reader = new FinopsReader({
          access,
          catalog,
          costs,
          organisation,
          sizes: () => readSizeCatalogue(sizesFile),
          tagKey: options.tagKey,
        });
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            access,
            reader,
            stores,
            catalog,
            importer,
            options,
            costs,
            organisation,
            sourceIds: sources.map(s => s.id),
            machines,
            ownership: deps.ownership,
          }),
        );
        // The same answers for assistants, over MCP.
        registerFinopsActions(deps.actionsRegistry, reader);

        // Owner roll-ups follow the catalog's ownership: rebuilt here when it
        // changes, so that views rarely have to wait for it.
        await deps.scheduler.scheduleTask({
          id: 'finops-attribution',
          frequency: { minutes: 1 },
          timeout: { minutes: 10 },
          initialDelay: { seconds: 20 },
          scope: 'global',
          fn: async () => costs.syncOwners(await catalog.snapshot()),
        });

        // The weekly cost digest, to every team, on Monday mornings.
        const digest = new CostDigest(stores, options.currency);
        await deps.scheduler.scheduleTask({
          id: 'finops-weekly-digest',
          frequency: { cron: '0 7 * * 1' },
          timeout: { minutes: 10 },
          scope: 'global',
          fn: async () => {
            const sent = await digest.send(
              await catalog.snapshot(),
              deps.notifications,
            );
            deps.logger.info(`Sent the weekly cost digest to ${sent} teams`);
          },
        });

        // Pulled sources (Cost Explorer and the others modules add): one run
        // across replicas, on finops.sources.schedule (Backstage's task
        // schedule shape), every six hours unless set.
        const sourceSchedule = deps.config.has('finops.sources.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              deps.config.getConfig('finops.sources.schedule'),
            )
          : {
              frequency: { hours: 6 },
              timeout: { minutes: 30 },
              initialDelay: { seconds: 30 },
            };
        for (const source of sources) {
          await deps.scheduler.scheduleTask({
            id: `finops-source-${source.id}`,
            ...sourceSchedule,
            scope: 'global',
            fn: async () => {
              await importer
                .refreshSource(source)
                .catch(error =>
                  deps.logger.error(
                    `Cost source ${source.id} failed: ${error.message}`,
                  ),
                );
            },
          });
        }
      },
    });
  },
});
