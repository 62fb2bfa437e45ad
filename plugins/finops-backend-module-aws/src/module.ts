import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { finopsCostSourcesExtensionPoint } from '@portal/plugin-finops-node';
import {
  COST_METRICS,
  CostExplorerSource,
  CostMetric,
} from './CostExplorerSource';

/**
 * Adds AWS Cost Explorer as a FinOps cost source when `finops.aws` is
 * configured. Credentials come from the AWS SDK's default chain (environment,
 * web identity on EKS, instance profile) unless given in config.
 */
export const finopsModuleAws = createBackendModule({
  pluginId: 'finops',
  moduleId: 'aws-cost-explorer',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        sources: finopsCostSourcesExtensionPoint,
      },
      async init({ config, logger, sources }) {
        const aws = config.getOptionalConfig('finops.aws');
        if (!aws) {
          logger.info('AWS Cost Explorer is not configured (finops.aws)');
          return;
        }
        const metric = aws.getOptionalString('metric') ?? 'AmortizedCost';
        if (!(COST_METRICS as readonly string[]).includes(metric)) {
          throw new Error(
            `finops.aws.metric must be one of ${COST_METRICS.join(', ')}`,
          );
        }
        const accessKeyId = aws.getOptionalString('accessKeyId');
        const client = new CostExplorerClient({
          region: aws.getOptionalString('region') ?? 'us-east-1',
          credentials: accessKeyId
            ? {
                accessKeyId,
                secretAccessKey: aws.getString('secretAccessKey'),
              }
            : undefined,
          // Retries are the source's own, with backoff it can count.
          maxAttempts: 1,
        });
        sources.addCostSource(
          new CostExplorerSource(
            client,
            {
              metric: metric as CostMetric,
              refreshDays: aws.getOptionalNumber('refreshDays') ?? 3,
              backfillMonths: aws.getOptionalNumber('backfillMonths') ?? 13,
              maxAttempts: aws.getOptionalNumber('maxAttempts') ?? 6,
              minRefetchHours: aws.getOptionalNumber('minRefetchHours') ?? 5,
            },
            logger,
          ),
        );
      },
    });
  },
});
