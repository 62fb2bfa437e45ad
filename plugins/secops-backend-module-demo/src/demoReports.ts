import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ReportSeederContext } from '@portal/plugin-secops-node';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface DemoReport {
  entityRef: string;
  tool: string;
  format?: string;
  file: string;
}

/** secops.demoReports: the embedded default's reports. */
export function readDemoReports(config: Config): DemoReport[] {
  return (config.getOptionalConfigArray('secops.demoReports') ?? []).map(c => ({
    entityRef: c.getString('entityRef'),
    tool: c.getString('tool'),
    format: c.getOptionalString('format'),
    file: c.getString('file'),
  }));
}

/**
 * Loads the demo organisation's reports through the same ingestion as CI
 * uploads. Reports whose entity and tool already have a scan are skipped, so
 * a restart does not add scans.
 */
export async function loadDemoReports(options: {
  reports: DemoReport[];
  context: ReportSeederContext;
  logger: LoggerService;
}) {
  for (const report of options.reports) {
    try {
      if (await options.context.hasScan(report.entityRef, report.tool)) {
        continue;
      }
      const result = await options.context.ingest({
        entityRef: report.entityRef,
        tool: report.tool,
        format: report.format,
        uploadedBy: 'service:secops-demo-reports',
        body: await fs.readFile(path.resolve(report.file)),
      });
      options.logger.info(
        `Loaded demo report ${report.file} for ${report.entityRef}: ${result.created} findings`,
      );
    } catch (error) {
      options.logger.warn(
        `Could not load demo report ${report.file}: ${
          (error as Error).message
        }`,
      );
    }
  }
}
