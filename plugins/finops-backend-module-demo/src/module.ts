import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { finopsCostSourcesExtensionPoint } from '@portal/plugin-finops-node';
import { DemoSpendSource } from './DemoSpendSource';

/**
 * The embedded default's FinOps demo (finops.demo): a generated year of
 * spend for the demo organisation, as a cost source whose figures the views
 * mark as demo data. Only the embedded default's backend installs this
 * module (packages/backend's src/embedded.ts); the production backend does
 * not contain it.
 *
 * @public
 */
export const finopsModuleDemo = createBackendModule({
  pluginId: 'finops',
  moduleId: 'demo',
  register(reg) {
    reg.registerInit({
      deps: {
        sources: finopsCostSourcesExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        logger: coreServices.logger,
      },
      async init({ sources, config, catalog, auth, logger }) {
        if (!config.getOptionalBoolean('finops.demo')) return;
        sources.addCostSource(
          new DemoSpendSource({
            currency: (
              config.getOptionalString('finops.currency') ?? 'USD'
            ).toUpperCase(),
            logger,
            readEntities: async () => {
              const { items } = await catalog.getEntities(
                {
                  filter: { kind: ['Component', 'Resource'] },
                  fields: ['kind', 'metadata.name', 'metadata.namespace'],
                },
                { credentials: await auth.getOwnServiceCredentials() },
              );
              return items.map(entity => ({
                ref: stringifyEntityRef(entity).toLowerCase(),
                kind: entity.kind.toLowerCase(),
              }));
            },
          }),
        );
      },
    });
  },
});
