import {
  FindingCategory,
  FindingStatus,
  IngestResult,
  Page,
  ParsedFinding,
  ReportFormat,
  Severity,
} from '@portal/plugin-secops-common';

/** One upload, parsed, ready to be stored. */
export interface IngestInput {
  entityRef: string;
  tool: string;
  format: ReportFormat | string;
  commitSha?: string;
  branch?: string;
  /** The principal that uploaded: a user ref, or the service's subject. */
  uploadedBy: string;
  reportSha256: string;
  findings: ParsedFinding[];
}

/** A finding as stored, before SLAs are applied. */
export interface StoredFinding extends Omit<ParsedFinding, 'aliases'> {
  id: string;
  entityRef: string;
  tool: string;
  aliases: string[];
  status: FindingStatus;
  firstSeenAt: Date;
  lastSeenAt: Date;
  fixedAt?: Date;
}

export interface ListFindingsQuery {
  entityRef: string;
  status?: FindingStatus;
  severities?: Severity[];
  categories?: FindingCategory[];
  /** Matches rule id, title, package or path. */
  search?: string;
  limit: number;
  cursor?: string;
}

/** Open findings of an entity, counted by severity and category. */
export interface EntityCounts {
  open: Record<Severity, number>;
  byCategory: Partial<Record<FindingCategory, number>>;
  /** Open findings first seen before the given SLA cut-offs. */
  overdue: number;
  fixed: number;
  lastScanAt?: Date;
}

export interface SecopsStore {
  /**
   * Stores a report's findings for an entity and tool, in one transaction:
   * new fingerprints are created, known ones are seen again (and reopened if
   * they had been fixed), and open ones the report no longer has are fixed.
   */
  ingest(input: IngestInput, now: Date): Promise<IngestResult>;
  listFindings(query: ListFindingsQuery): Promise<Page<StoredFinding>>;
  /** Whether any report of this tool was stored for the entity. */
  hasScan(entityRef: string, tool: string): Promise<boolean>;
  /**
   * Counts an entity's findings; `overdueBefore` gives, per severity, the
   * first-seen time before which an open finding is overdue.
   */
  countFindings(
    entityRef: string,
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<EntityCounts>;
}
