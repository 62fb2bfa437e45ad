import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { secopsReportSeedersExtensionPoint } from '@portal/plugin-secops-node';
import { loadDemoReports, readDemoReports } from './demoReports';

/**
 * The embedded default's SecOps demo (secops.demoReports): real scanner
 * reports for the demo organisation's components, loaded once the backend
 * is up through the same ingestion as CI uploads. Only the embedded
 * default's backend installs this module (packages/backend's
 * src/embedded.ts); the production backend does not contain it.
 *
 * @public
 */
export const secopsModuleDemo = createBackendModule({
  pluginId: 'secops',
  moduleId: 'demo',
  register(reg) {
    reg.registerInit({
      deps: {
        seeders: secopsReportSeedersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ seeders, config, logger }) {
        const reports = readDemoReports(config);
        if (!reports.length) return;
        seeders.addReportSeeder({
          name: 'demo reports',
          seed: context => loadDemoReports({ reports, context, logger }),
        });
      },
    });
  },
});
