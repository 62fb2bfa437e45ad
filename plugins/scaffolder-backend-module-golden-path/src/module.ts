import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderTemplatingExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import { ownershipServiceRef } from '@portal/catalog-ownership';
import path from 'node:path';
import { createAddResourceAction } from './actions/addResource';
import { createCheckoutAction } from './actions/checkout';
import { createDetectStackAction } from './actions/detectStack';
import { createMergeAction } from './actions/merge';
import { createPublishLocalAction } from './actions/publishLocal';
import { createPullRequestLocalAction } from './actions/pullRequestLocal';
import { createRegisterLocalAction } from './actions/registerLocal';
import {
  createTemplateReadAction,
  createTemplateStampAction,
} from './actions/templateInfo';
import { readSizeCatalogue } from './iac';
import { LocalRepositories } from './localRepositories';
import { LocalRepositoryProvider } from './LocalRepositoryProvider';
import { createValidateAction } from './actions/validate';
import { adminGroupsFromConfig, Ownership } from './ownership';
import { QUOTING_FILTERS } from './quoting';

/** The golden-path actions, added to the scaffolder. */
export const scaffolderModuleGoldenPath = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'golden-path',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        templating: scaffolderTemplatingExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        reader: coreServices.urlReader,
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        groups: ownershipServiceRef,
      },
      async init({
        scaffolder,
        templating,
        config,
        catalog,
        reader,
        auth,
        auditor,
        groups,
      }) {
        const repositories = LocalRepositories.fromConfig(config);
        // yamlQuote, hclQuote, oneLine: what skeletons write values with.
        templating.addTemplateFilters({ ...QUOTING_FILTERS });
        const ownership = new Ownership(
          catalog,
          auth,
          adminGroupsFromConfig(config),
          groups,
        );
        const sizesFile = path.resolve(
          config.getOptionalString('goldenPath.iac.sizesFile') ??
            '../../templates/iac/sizes.yaml',
        );
        scaffolder.addActions(
          createValidateAction({ ownership, repositories }),
          createPublishLocalAction({ repositories, auditor }),
          createRegisterLocalAction({ repositories, catalog }),
          createCheckoutAction({
            repositories,
            catalog,
            reader,
            integrations: ScmIntegrations.fromConfig(config),
          }),
          createDetectStackAction(),
          createMergeAction(),
          createAddResourceAction({
            sizes: () => readSizeCatalogue(sizesFile),
            moduleSource:
              config.getOptionalString('goldenPath.iac.moduleSource') ??
              'git::https://github.com/acme-commerce/acme-developer-portal.git//templates/iac/modules/{type}?ref=main',
            costAllocationTag:
              config.getOptionalString('finops.costAllocationTag') ??
              'portal-entity-ref',
          }),
          createTemplateReadAction(),
          createTemplateStampAction(),
          createPullRequestLocalAction({ repositories, auditor }),
        );
      },
    });
  },
});

/** The local repositories of the embedded default, in the catalog. */
export const catalogModuleLocalRepositories = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'golden-path-local-repositories',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, logger, scheduler }) {
        const repositories = LocalRepositories.fromConfig(config);
        // Demo repositories of the embedded default, made on first start.
        for (const seed of config.getOptionalConfigArray(
          'goldenPath.local.seed',
        ) ?? []) {
          const name = seed.getString('name');
          if (
            await repositories.seed(name, path.resolve(seed.getString('from')))
          ) {
            logger.info(`Created the demo repository ${name}`);
          }
        }
        const provider = new LocalRepositoryProvider(repositories, logger);
        catalog.addEntityProvider(provider);
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
