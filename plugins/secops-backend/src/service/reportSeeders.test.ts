import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { IngestResult } from '@portal/plugin-secops-common';
import { secopsReportSeedersExtensionPoint } from '@portal/plugin-secops-node';
import { secopsPlugin } from '../plugin';
import { fixture, payments } from '../__testUtils__/backend';

describe('report seeders', () => {
  it('run once the backend is up, through the same ingestion as uploads, and one that fails does not stop the next', async () => {
    let seeded: (outcome: {
      before: boolean;
      result: IngestResult;
      after: boolean;
    }) => void;
    const outcome = new Promise<{
      before: boolean;
      result: IngestResult;
      after: boolean;
    }>(resolve => {
      seeded = resolve;
    });
    const seeders = createBackendModule({
      pluginId: 'secops',
      moduleId: 'test-seeders',
      register(reg) {
        reg.registerInit({
          deps: { points: secopsReportSeedersExtensionPoint },
          async init({ points }) {
            points.addReportSeeder({
              name: 'broken',
              seed: async () => {
                throw new Error('no reports today');
              },
            });
            points.addReportSeeder({
              name: 'trivy',
              seed: async context => {
                const entityRef = 'component:default/payments-api';
                const before = await context.hasScan(entityRef, 'trivy');
                const result = await context.ingest({
                  entityRef,
                  tool: 'trivy',
                  uploadedBy: 'service:test-seeder',
                  body: fixture('trivy/trivy-alpine-310-image.json'),
                });
                const after = await context.hasScan(entityRef, 'trivy');
                seeded({ before, result, after });
              },
            });
          },
        });
      },
    });
    const logger = mockServices.logger.mock();
    const backend = await startTestBackend({
      features: [
        secopsPlugin,
        seeders,
        logger.factory,
        catalogServiceMock.factory({ entities: [payments] as any }),
        mockServices.rootConfig.factory({ data: {} }),
      ],
    });
    try {
      const { before, result, after } = await outcome;
      expect(before).toBe(false);
      expect(result).toMatchObject({
        entityRef: 'component:default/payments-api',
        tool: 'trivy',
        format: 'trivy',
      });
      expect(result.created).toBeGreaterThan(0);
      expect(after).toBe(true);
      expect(logger.warn).toHaveBeenCalledWith(
        'The report seeder broken failed: no reports today',
      );
    } finally {
      await backend.stop();
    }
  }, 120_000);
});
