import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { scaffolderTemplatingExtensionPoint } from '@backstage/plugin-scaffolder-node/alpha';
import { ownershipServiceRef } from '@portal/catalog-ownership';
import {
  readSizeCatalogue,
  sizeCatalogueFile,
} from '@portal/plugin-finops-node';
import { createAddResourceAction } from './actions/addResource';
import { createChangeResourceAction } from './actions/changeResource';
import { createCheckoutAction } from './actions/checkout';
import { createDetectStackAction } from './actions/detectStack';
import {
  createFleetUpgradeAction,
  ScaffolderTasks,
} from './actions/fleetUpgrade';
import { createMergeAction } from './actions/merge';
import { createPublishLocalAction } from './actions/publishLocal';
import { createPullRequestLocalAction } from './actions/pullRequestLocal';
import { createRegisterLocalAction } from './actions/registerLocal';
import {
  createTemplateReadAction,
  createTemplateStampAction,
} from './actions/templateInfo';
import {
  LOCAL_REPOSITORY_CHANGED_TOPIC,
  LocalRepositories,
  LocalRepositoryChangedEvent,
} from './localRepositories';
import { createValidateAction } from './actions/validate';
import { Adoption } from './discovery/Adoption';
import { repositorySources } from './discovery/sources';
import { createFleetRouter } from './fleetRouter';
import { adminGroupsFromConfig, Ownership } from './ownership';
import { QUOTING_FILTERS } from './quoting';
import { registerTemplateVersionsAction } from './templateVersions';

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
        discovery: coreServices.discovery,
        httpAuth: coreServices.httpAuth,
        userInfo: coreServices.userInfo,
        httpRouter: coreServices.httpRouter,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auditor: coreServices.auditor,
        groups: ownershipServiceRef,
        events: eventsServiceRef,
        logger: coreServices.logger,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init({
        scaffolder,
        templating,
        config,
        catalog,
        reader,
        auth,
        discovery,
        httpAuth,
        userInfo,
        httpRouter,
        database,
        scheduler,
        auditor,
        groups,
        events,
        logger,
        actionsRegistry,
      }) {
        // Whoever shows the local repositories (the embedded default's
        // catalog module) hears of a published one at once.
        const repositories = LocalRepositories.fromConfig(config, name => {
          const eventPayload: LocalRepositoryChangedEvent = {
            repository: name,
          };
          events
            .publish({ topic: LOCAL_REPOSITORY_CHANGED_TOPIC, eventPayload })
            .catch(error =>
              logger.warn(
                `Could not announce the change of the local repository ${name}: ${error}`,
              ),
            );
        });
        // Which version of the golden path each service follows, for
        // assistants over MCP, and for people (the Golden path page).
        registerTemplateVersionsAction(actionsRegistry, catalog);
        const ownership = new Ownership(
          catalog,
          auth,
          adminGroupsFromConfig(config),
          groups,
        );
        // The adoption map: the local repositories (the embedded default)
        // and a GitHub organisation (goldenPath.discovery.github.org).
        const adoption = await Adoption.create({
          sources: repositorySources(config, repositories, logger),
          catalog,
          auth,
          knex: await database.getClient(),
          logger,
        });
        await adoption.schedule(scheduler);
        httpRouter.use(
          createFleetRouter({
            catalog,
            httpAuth,
            userInfo,
            groups,
            adoption,
            ownership,
          }),
        );
        // yamlQuote, hclQuote, oneLine: what skeletons write values with.
        templating.addTemplateFilters({ ...QUOTING_FILTERS });
        const sizesFile = sizeCatalogueFile(config);
        // What "Add a resource" and "Change a resource" render with.
        const resourceOptions = {
          sizes: () => readSizeCatalogue(sizesFile),
          moduleSource:
            config.getOptionalString('goldenPath.iac.moduleSource') ??
            'git::https://github.com/acme-commerce/acme-developer-portal.git//templates/iac/modules/{type}?ref=main',
          costAllocationTag:
            config.getOptionalString('finops.costAllocationTag') ??
            'portal-entity-ref',
        };
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
          createAddResourceAction(resourceOptions),
          createChangeResourceAction(resourceOptions),
          createTemplateReadAction(),
          createTemplateStampAction(),
          createPullRequestLocalAction({ repositories, auditor }),
          createFleetUpgradeAction({
            catalog,
            auth,
            ownership,
            tasks: new ScaffolderTasks({ auth, discovery }),
          }),
        );
      },
    });
  },
});
