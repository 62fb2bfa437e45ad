import { LoggerService } from '@backstage/backend-plugin-api';
import { ReportSeeder } from '@portal/plugin-secops-node';
import { ReportIngester } from './ReportIngester';

/**
 * Runs the seeders modules added, one after the other; one that fails is
 * logged and does not stop the others.
 */
export async function runReportSeeders(options: {
  seeders: ReportSeeder[];
  ingester: ReportIngester;
  hasScan: (entityRef: string, tool: string) => Promise<boolean>;
  logger: LoggerService;
}): Promise<void> {
  for (const seeder of options.seeders) {
    try {
      await seeder.seed({
        hasScan: options.hasScan,
        ingest: report => options.ingester.ingest(report),
      });
    } catch (error) {
      options.logger.warn(
        `The report seeder ${seeder.name} failed: ${(error as Error).message}`,
      );
    }
  }
}
