import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  LOCAL_REPOSITORY_CHANGED_TOPIC,
  LocalRepositories,
} from '@portal/plugin-scaffolder-backend-module-golden-path';
import path from 'node:path';
import { LocalRepositoryProvider } from './LocalRepositoryProvider';
import { seedRepository } from './seed';

/**
 * The embedded default's local repositories in the catalog: the demo
 * repositories (goldenPath.local.seed) made on first start, and every local
 * repository's catalog-info.yaml as a location, rescanned when a golden-path
 * action publishes one (LOCAL_REPOSITORY_CHANGED_TOPIC on the events
 * service) and every minute. Only the embedded default's backend installs
 * it (packages/backend's src/embedded.ts).
 *
 * @public
 */
export const catalogModuleGoldenPathDemo = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'golden-path-demo',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
      },
      async init({ catalog, config, logger, scheduler, events }) {
        const repositories = LocalRepositories.fromConfig(config);
        for (const seed of config.getOptionalConfigArray(
          'goldenPath.local.seed',
        ) ?? []) {
          const name = seed.getString('name');
          const from = path.resolve(seed.getString('from'));
          if (await seedRepository(repositories, name, from)) {
            logger.info(`Created the demo repository ${name}`);
          }
        }
        const provider = new LocalRepositoryProvider(repositories, logger);
        catalog.addEntityProvider(provider);
        await events.subscribe({
          id: 'golden-path-local-repositories',
          topics: [LOCAL_REPOSITORY_CHANGED_TOPIC],
          onEvent: async () => {
            await provider
              .refresh()
              .catch(error =>
                logger.warn(`Could not read the local repositories: ${error}`),
              );
          },
        });
        // Repositories changed by hand (git merge) are seen within a minute.
        await scheduler.scheduleTask({
          id: 'golden-path-local-repositories',
          frequency: { minutes: 1 },
          timeout: { minutes: 1 },
          scope: 'local',
          fn: () => provider.refresh(),
        });
      },
    });
  },
});
