/*
 * A finding as a row of secops_findings, and back: the columns a report
 * describes and the finding the other stores and the event log read.
 */
import {
  FindingCategory,
  ParsedFinding,
  ParsedPentest,
  Severity,
} from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { StoredFinding } from './types';
import {
  cveOf,
  FINDINGS,
  ID_CHUNK,
  inChunks,
  rank,
  Timestamp,
  toDate,
  truncate,
} from './tables';

export type FindingRow = {
  id: number | string;
  entity_ref: string;
  tool: string;
  fingerprint: string;
  category: string;
  severity: string;
  severity_rank: number;
  rule_id: string;
  title: string;
  description: string | null;
  aliases: string | null;
  cvss_score: number | null;
  package_name: string | null;
  package_version: string | null;
  fixed_version: string | null;
  location_path: string | null;
  location_line: number | null;
  url: string | null;
  help_url: string | null;
  status: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  fixed_at: Timestamp | null;
  last_scan_id: string;
  cve_id: string | null;
  assignee?: string | null;
  assigned_by?: string | null;
  assigned_at?: Timestamp | null;
  pentest?: string | null;
};

/** The KEV and EPSS columns a list joins onto a finding's row. */
export type ExploitabilityColumns = {
  kev_date_added?: string | null;
  kev_due_date?: string | null;
  kev_ransomware?: boolean | number | null;
  kev_name?: string | null;
  epss_score?: number | null;
  epss_percentile?: number | null;
};

/**
 * The select list that joins KEV (as `k`) and EPSS (as `e`) onto findings
 * (as `f`): the finding's columns and the exploitability columns.
 */
export const exploitabilitySelect = [
  'f.*',
  'k.date_added as kev_date_added',
  'k.due_date as kev_due_date',
  'k.known_ransomware as kev_ransomware',
  'k.vulnerability_name as kev_name',
  'e.score as epss_score',
  'e.percentile as epss_percentile',
];

/** The columns a report describes (as opposed to what the store tracks). */
export function describedColumns(finding: ParsedFinding) {
  return {
    category: finding.category,
    severity: finding.severity,
    severity_rank: rank(finding.severity),
    rule_id: truncate(finding.ruleId, 255)!,
    title: finding.title,
    description: finding.description ?? null,
    aliases: finding.aliases?.length ? JSON.stringify(finding.aliases) : null,
    cvss_score: finding.cvssScore ?? null,
    package_name: truncate(finding.packageName, 255),
    package_version: truncate(finding.packageVersion, 255),
    fixed_version: truncate(finding.fixedVersion, 255),
    location_path: finding.locationPath ?? null,
    location_line: finding.locationLine ?? null,
    url: finding.url ?? null,
    help_url: finding.helpUrl ?? null,
    cve_id: cveOf(finding) ?? null,
    pentest: finding.pentest ? JSON.stringify(finding.pentest) : null,
  };
}

/**
 * The API's pen-test detail of a row: the stored context, with the retest
 * shown as fixed once the finding is fixed (a retest no longer lists it).
 */
function pentestOf(row: FindingRow): StoredFinding['pentest'] {
  if (!row.pentest) {
    return undefined;
  }
  const stored = JSON.parse(row.pentest) as ParsedPentest;
  return {
    tester: stored.tester,
    engagement: stored.engagement,
    retestStatus: row.status === 'fixed' ? 'fixed' : stored.retest,
  };
}

export function toFinding(
  row: FindingRow & ExploitabilityColumns,
): StoredFinding {
  return {
    cveId: row.cve_id ?? undefined,
    kev: row.kev_date_added
      ? {
          dateAdded: row.kev_date_added,
          dueDate: row.kev_due_date ?? undefined,
          knownRansomwareCampaignUse: Boolean(row.kev_ransomware),
          vulnerabilityName: row.kev_name ?? '',
        }
      : undefined,
    epss:
      row.epss_score !== null && row.epss_score !== undefined
        ? {
            score: Number(row.epss_score),
            percentile: Number(row.epss_percentile),
          }
        : undefined,
    id: String(row.id),
    entityRef: row.entity_ref,
    tool: row.tool,
    fingerprint: row.fingerprint,
    category: row.category as FindingCategory,
    severity: row.severity as Severity,
    ruleId: row.rule_id,
    title: row.title,
    description: row.description ?? undefined,
    aliases: row.aliases ? JSON.parse(row.aliases) : [],
    cvssScore: row.cvss_score ?? undefined,
    packageName: row.package_name ?? undefined,
    packageVersion: row.package_version ?? undefined,
    fixedVersion: row.fixed_version ?? undefined,
    locationPath: row.location_path ?? undefined,
    locationLine: row.location_line ?? undefined,
    url: row.url ?? undefined,
    helpUrl: row.help_url ?? undefined,
    status: row.status as StoredFinding['status'],
    firstSeenAt: toDate(row.first_seen_at),
    lastSeenAt: toDate(row.last_seen_at),
    fixedAt: row.fixed_at ? toDate(row.fixed_at) : undefined,
    assignee: row.assignee ?? undefined,
    assignedBy: row.assigned_by ?? undefined,
    assignedAt: row.assigned_at ? toDate(row.assigned_at) : undefined,
    pentest: pentestOf(row),
  };
}

/** The findings with these ids, by id (the event log's finding events). */
export async function findingsById(
  knex: Knex,
  ids: number[],
): Promise<Map<string, StoredFinding>> {
  const findings = new Map<string, StoredFinding>();
  await inChunks(ids, ID_CHUNK, async chunk => {
    const found: FindingRow[] = await knex<FindingRow>(FINDINGS).whereIn(
      'id',
      chunk,
    );
    found.forEach(row => findings.set(String(row.id), toFinding(row)));
  });
  return findings;
}
