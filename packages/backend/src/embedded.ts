/*
 * The embedded default's demo modules: what `./portal start` (yarn start)
 * adds to the production feature list (features.ts). index.ts loads this
 * file only when NODE_ENV is not production, and the modules are
 * devDependencies of the backend: the production install
 * (`yarn workspaces focus --production`), the backend bundle and the image
 * do not contain them (packaging.test.ts checks). Each reads its own
 * configuration (app-config.yaml); none runs when the configuration says
 * production (auth.environment), where demo data would answer real
 * questions and the SRE demo metrics answer without credentials.
 */
/* The demo modules are devDependencies on purpose (see above). */
/* eslint-disable @backstage/no-undeclared-imports */
import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';

/** The demo modules, by package, in the order they are added. */
export const EMBEDDED_DEMO_PACKAGES = [
  '@portal/plugin-catalog-backend-module-golden-path-demo',
  '@portal/plugin-secops-backend-module-demo',
  '@portal/plugin-finops-backend-module-demo',
  '@portal/plugin-sre-backend-module-demo',
] as const;

/** Whether the configuration or the process says production. */
export function isProduction(config: Config): boolean {
  return (
    config.getOptionalString('auth.environment') === 'production' ||
    process.env.NODE_ENV === 'production'
  );
}

/** Each demo module, loaded only when the embedded default asks for it. */
const DEMO_MODULES = [
  () => import('@portal/plugin-catalog-backend-module-golden-path-demo'),
  () => import('@portal/plugin-secops-backend-module-demo'),
  () => import('@portal/plugin-finops-backend-module-demo'),
  () => import('@portal/plugin-sre-backend-module-demo'),
];

/** The demo modules this configuration gets: none in production. */
export function embeddedDemoModules(config: Config) {
  return isProduction(config) ? [] : DEMO_MODULES;
}

/** The embedded default's demo modules, as one feature. */
export default createBackendFeatureLoader({
  deps: { config: coreServices.rootConfig, logger: coreServices.rootLogger },
  loader({ config, logger }) {
    const modules = embeddedDemoModules(config);
    if (!modules.length) {
      logger.error(
        'The embedded default runs with a production configuration (auth.environment or NODE_ENV is production): no demo modules (demo Prometheus and metrics, demo spend, demo reports, demo repositories)',
      );
    }
    return modules.map(load => load());
  },
});
