import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  ReportSeeder,
  ReportSeederContext,
  secopsReportSeedersExtensionPoint,
} from '@portal/plugin-secops-node';
import fs from 'node:fs';
import path from 'node:path';
import { secopsModuleDemo } from './module';

const FIXTURES = path.resolve(__dirname, '../../../fixtures');

async function seedersFor(secops: object): Promise<ReportSeeder[]> {
  const seeders: ReportSeeder[] = [];
  const backend = await startTestBackend({
    extensionPoints: [
      [
        secopsReportSeedersExtensionPoint,
        { addReportSeeder: s => seeders.push(s) },
      ],
    ],
    features: [
      secopsModuleDemo,
      mockServices.rootConfig.factory({ data: { secops } }),
    ],
  });
  await backend.stop();
  return seeders;
}

describe('the SecOps demo module', () => {
  it('loads each demo report whose entity and tool have no scan yet, as an upload', async () => {
    const trivy = path.join(FIXTURES, 'trivy/trivy-alpine-310-image.json');
    const bandit = path.join(
      FIXTURES,
      'sarif/bandit-1.9.3-todo-list-aws.sarif',
    );
    const seeders = await seedersFor({
      demoReports: [
        {
          entityRef: 'component:default/payments-api',
          tool: 'trivy',
          file: trivy,
        },
        {
          entityRef: 'component:default/checkout-service',
          tool: 'bandit',
          format: 'sarif',
          file: bandit,
        },
        {
          entityRef: 'component:default/checkout-service',
          tool: 'gitleaks',
          file: path.join(FIXTURES, 'no-such-report.sarif'),
        },
      ],
    });
    expect(seeders).toHaveLength(1);
    const context: jest.Mocked<ReportSeederContext> = {
      // payments-api was seeded by an earlier start.
      hasScan: jest.fn<Promise<boolean>, [string, string]>(
        async entityRef => entityRef === 'component:default/payments-api',
      ),
      ingest: jest.fn(async report => ({
        scanId: 's1',
        entityRef: report.entityRef,
        tool: report.tool,
        format: report.format ?? 'sarif',
        received: 2,
        created: 2,
        reopened: 0,
        unchanged: 0,
        fixed: 0,
        closesMissing: true,
      })),
    };
    await seeders[0].seed(context);
    // The missing file is skipped with a warning, not an error.
    expect(context.ingest).toHaveBeenCalledTimes(1);
    expect(context.ingest).toHaveBeenCalledWith({
      entityRef: 'component:default/checkout-service',
      tool: 'bandit',
      format: 'sarif',
      uploadedBy: 'service:secops-demo-reports',
      body: fs.readFileSync(bandit),
    });
  }, 120_000);

  it('adds no seeder without demo reports', async () => {
    expect(await seedersFor({})).toEqual([]);
    expect(await seedersFor({ demoReports: [] })).toEqual([]);
  }, 120_000);
});
