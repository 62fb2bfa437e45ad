import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  PrometheusSource,
  sreSliSourcesExtensionPoint,
} from '@portal/plugin-sre-node';
import { Router } from 'express';
import path from 'node:path';
import { DemoExporter } from './DemoExporter';
import { startDemoPrometheus } from './demoPrometheus';

/** Where Prometheus scrapes the live demo traffic, under /api/sre. */
export const DEMO_METRICS_PATH = '/demo/metrics';

/**
 * The embedded default's SRE demo (sre.demo): a local Prometheus with four
 * weeks of demo traffic, an SLI source for the SRE backend, and the live
 * demo metrics it scrapes, which answer without credentials. Only the
 * embedded default's backend installs this module (packages/backend's
 * src/embedded.ts); the production backend does not contain it.
 *
 * @public
 */
export const sreModuleDemo = createBackendModule({
  pluginId: 'sre',
  moduleId: 'demo',
  register(reg) {
    reg.registerInit({
      deps: {
        sliSources: sreSliSourcesExtensionPoint,
        config: coreServices.rootConfig,
        httpRouter: coreServices.httpRouter,
        discovery: coreServices.discovery,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
      },
      async init({
        sliSources,
        config,
        httpRouter,
        discovery,
        lifecycle,
        logger,
      }) {
        const demo = config.getOptionalConfig('sre.demo');
        if (!demo) return;
        const port = demo.getOptionalNumber('port') ?? 9464;

        // The SLOs ask the demo Prometheus from the start; until it is up
        // (the first start backfills its history in the background) they
        // say that the source does not answer.
        sliSources.addSliSource(
          new PrometheusSource({
            name: 'demo',
            url: `http://127.0.0.1:${port}`,
            timeoutMs: 10_000,
          }),
        );

        const exporter = new DemoExporter();
        const router = Router();
        router.get(DEMO_METRICS_PATH, (_req, res) => {
          res.type('text/plain; version=0.0.4').send(exporter.render());
        });
        // Prometheus scrapes the demo traffic without a token.
        httpRouter.addAuthPolicy({
          path: DEMO_METRICS_PATH,
          allow: 'unauthenticated',
        });
        httpRouter.use(router);

        const startDemo = async () => {
          const started = await startDemoPrometheus({
            dir: path.resolve(demo.getString('dataDir')),
            port,
            scrapeUrl: `${await discovery.getBaseUrl(
              'sre',
            )}${DEMO_METRICS_PATH}`,
            logger,
            binary: demo.getOptionalString('binary'),
            promtool: demo.getOptionalString('promtool'),
          }).catch(error => {
            logger.error(`The demo Prometheus did not start: ${error.message}`);
            return undefined;
          });
          if (!started) return;
          exporter.placeIncidents(started.historyEnd);
          lifecycle.addShutdownHook(() => started.prometheus.stop());
        };
        // Not awaited: the backend is ready while the history is written.
        lifecycle.addStartupHook(() => {
          startDemo();
        });
      },
    });
  },
});
