import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { IngestResult } from '@portal/plugin-secops-common';

/** A report a seeder loads, as CI would upload it. */
export interface SeededReport {
  entityRef: string;
  tool: string;
  /** The format, or undefined to recognise it from the document. */
  format?: string;
  /** Who loads it, as the scan records it ("service:..."). */
  uploadedBy: string;
  body: Buffer;
}

/** What a report seeder is given once the backend has started. */
export interface ReportSeederContext {
  /** Whether the entity has a scan from the tool already. */
  hasScan(entityRef: string, tool: string): Promise<boolean>;
  /** Ingests a report through the same ingestion as uploads from CI. */
  ingest(report: SeededReport): Promise<IngestResult>;
}

/**
 * Loads reports when the backend has started (the catalog knows the
 * entities by then): demo data, or a migration from another tool.
 */
export interface ReportSeeder {
  /** What it is, for the logs. */
  name: string;
  seed(context: ReportSeederContext): Promise<void>;
}

/** Where modules add report seeders. */
export interface SecopsReportSeedersExtensionPoint {
  addReportSeeder(seeder: ReportSeeder): void;
}

export const secopsReportSeedersExtensionPoint =
  createExtensionPoint<SecopsReportSeedersExtensionPoint>({
    id: 'secops.report-seeders',
  });
