import {
  coreServices,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  EntityAuthorization,
  MachineIdentities,
  ownershipServiceRef,
} from '@portal/catalog-ownership';
import { srePermissions } from '@portal/plugin-sre-common';
import {
  PrometheusSource,
  SliSource,
  sreSliSourcesExtensionPoint,
} from '@portal/plugin-sre-node';
import { SreStore } from './database/SreStore';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { Octokit } from '@octokit/rest';
import { DeliveryTask } from './delivery/DeliveryTask';
import { octokitDeliveryClient } from './delivery/github';
import { readLinkTemplates } from './service/observability';
import { registerSreActions } from './service/actions';
import { ReliabilityService } from './service/ReliabilityService';
import { createRouter } from './api/router';
import { SloDefinitions } from './service/SloDefinitions';
import { SloEvaluator } from './service/SloEvaluator';
import { trustedProjectSlugEntities } from './service/trustedSlugs';

/**
 * The SRE backend: SLOs declared by catalog entities (OpenSLO), evaluated
 * against Prometheus into error budgets and burn rates, and alerts from
 * Alertmanager on the entities they label.
 *
 * @public
 */
export const srePlugin = createBackendPlugin({
  pluginId: 'sre',
  register(env) {
    const extraSources: SliSource[] = [];
    env.registerExtensionPoint(sreSliSourcesExtensionPoint, {
      addSliSource(source) {
        extraSources.push(source);
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
        reader: coreServices.urlReader,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        actionsRegistry: actionsRegistryServiceRef,
      },
      async init(deps) {
        const config = deps.config.getOptionalConfig('sre');
        const servers = (
          config?.getOptionalConfigArray('prometheus') ?? []
        ).map(c => ({
          name: c.getString('name'),
          url: c.getString('url'),
          timeoutMs: c.getOptionalNumber('timeoutMs') ?? 10_000,
        }));
        const sources: SliSource[] = [
          ...servers.map(s => new PrometheusSource(s)),
          ...extraSources,
        ];

        const store = await SreStore.create({ database: deps.database });
        const definitions = new SloDefinitions(
          deps.catalog,
          deps.auth,
          deps.reader,
          store,
          deps.logger,
        );
        const evaluator = new SloEvaluator(
          store,
          sources,
          {
            concurrency:
              config?.getOptionalNumber('evaluation.concurrency') ?? 16,
          },
          deps.logger,
        );

        // DORA measures from GitHub, when configured (needs a token in
        // integrations.github to read deployments, pulls and issues).
        const deliveryConfig = config?.getOptionalConfig('delivery');
        if (deliveryConfig) {
          const integrations = ScmIntegrations.fromConfig(deps.config);
          const credentials =
            DefaultGithubCredentialsProvider.fromIntegrations(integrations);
          const task = new DeliveryTask({
            catalog: deps.catalog,
            auth: deps.auth,
            store,
            logger: deps.logger,
            periodDays: deliveryConfig.getOptionalNumber('periodDays') ?? 30,
            trusted: trustedProjectSlugEntities(deps.config),
            clientFor: async slug => {
              const url = `https://github.com/${slug}`;
              const { token } = await credentials.getCredentials({ url });
              const baseUrl = integrations.github.byUrl(url)?.config.apiBaseUrl;
              return octokitDeliveryClient(
                new Octokit({ auth: token, baseUrl }),
              );
            },
          });
          // Backstage's schedule shape (sre.delivery.schedule); the older
          // frequencyHours still sets the default.
          const schedule = deliveryConfig.has('schedule')
            ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
                deliveryConfig.getConfig('schedule'),
              )
            : {
                frequency: {
                  hours:
                    deliveryConfig.getOptionalNumber('frequencyHours') ?? 6,
                },
                timeout: { minutes: 30 },
                initialDelay: { minutes: 1 },
              };
          await deps.scheduler.scheduleTask({
            id: 'sre-delivery-metrics',
            ...schedule,
            fn: async () => {
              await task.run();
            },
          });
        }

        deps.permissionsRegistry.addPermissions(srePermissions);

        const routerOptions = {
          machines: MachineIdentities.fromConfig(deps.config),
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          authorization: new EntityAuthorization(deps.permissions),
          auth: deps.auth,
          auditor: deps.auditor,
          catalog: deps.catalog,
          hierarchy: deps.ownership,
          store,
          definitions,
          evaluator,
          linkTemplates: readLinkTemplates(config),
          deliveryConfigured: !!config?.getOptionalConfig('delivery'),
          entityLabels: config?.getOptionalStringArray(
            'alertmanager.entityLabels',
          ) ?? ['backstage_entity', 'entity', 'service'],
          status: () => {
            const last = evaluator.lastEvaluation();
            return {
              configured: sources.length > 0,
              sources: sources.map(s => ({ ...s.describe(), type: s.type })),
              lastEvaluationAt: last?.at,
              lastError: last?.firstError,
            };
          },
        };
        // One service for the routes and the actions assistants call.
        const reliability = new ReliabilityService(routerOptions);
        deps.httpRouter.use(
          await createRouter({ ...routerOptions, reliability }),
        );
        registerSreActions(deps.actionsRegistry, reliability);

        // Backstage's schedule shape (sre.evaluation.schedule); the older
        // frequencySeconds still sets the default.
        const evaluationSchedule = config?.has('evaluation.schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig('evaluation.schedule'),
            )
          : {
              frequency: {
                seconds:
                  config?.getOptionalNumber('evaluation.frequencySeconds') ??
                  60,
              },
              timeout: { minutes: 5 },
              initialDelay: { seconds: 20 },
            };
        // SLO files are read every five minutes, and every minute while the
        // catalog has none yet (just after the first start).
        let lastSync = 0;
        let found = 0;
        await deps.scheduler.scheduleTask({
          id: 'sre-slo-definitions',
          frequency: { minutes: 1 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            if (found > 0 && Date.now() - lastSync < 5 * 60_000) return;
            const synced = await definitions.sync();
            lastSync = Date.now();
            found = synced.slos + synced.problems;
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'sre-slo-evaluation',
          ...evaluationSchedule,
          fn: async () => {
            await evaluator.evaluateAll();
          },
        });
        await deps.scheduler.scheduleTask({
          id: 'sre-slo-history-prune',
          frequency: { hours: 24 },
          timeout: { minutes: 10 },
          fn: async () => {
            await store.pruneHistory(new Date(Date.now() - 35 * 86_400_000));
          },
        });
      },
    });
  },
});
