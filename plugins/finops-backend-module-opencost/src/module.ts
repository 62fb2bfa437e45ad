import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { finopsCostSourcesExtensionPoint } from '@portal/plugin-finops-node';
import { OpenCostSource } from './OpenCostSource';

/** The label the golden path's manifests give each workload. */
export const DEFAULT_COST_ENTITY_LABEL = 'portal.acme.example/cost-entity';

/**
 * Adds a cluster's OpenCost as a FinOps cost source when `finops.opencost`
 * is configured: container spend attributed by the workload's cost-entity
 * label, as cloud resources are by their tag.
 */
export const finopsModuleOpenCost = createBackendModule({
  pluginId: 'finops',
  moduleId: 'opencost',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        sources: finopsCostSourcesExtensionPoint,
      },
      async init({ config, logger, sources }) {
        const opencost = config.getOptionalConfig('finops.opencost');
        if (!opencost) {
          logger.info('OpenCost is not configured (finops.opencost)');
          return;
        }
        sources.addCostSource(
          new OpenCostSource({
            url: opencost.getString('url'),
            cluster: opencost.getString('cluster'),
            label:
              opencost.getOptionalString('label') ?? DEFAULT_COST_ENTITY_LABEL,
            backfillDays: opencost.getOptionalNumber('backfillDays') ?? 30,
            refreshDays: opencost.getOptionalNumber('refreshDays') ?? 2,
            currency: (
              opencost.getOptionalString('currency') ??
              config.getOptionalString('finops.currency') ??
              'USD'
            ).toUpperCase(),
          }),
        );
      },
    });
  },
});
