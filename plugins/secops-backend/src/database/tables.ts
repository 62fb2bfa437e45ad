/*
 * What the SecOps stores share: the tables (created by the migrations in
 * ../../migrations), how timestamps come back from each database, keyset
 * cursors and batching.
 */
import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { Severity, SEVERITIES } from '@portal/plugin-secops-common';

export const FINDINGS = 'secops_findings';
export const SCANS = 'secops_scans';
export const DECISIONS = 'secops_gate_decisions';
export const EVENTS = 'secops_events';
export const DELIVERIES = 'secops_webhook_deliveries';
export const EXEMPTIONS = 'secops_exemptions';
export const KEV = 'secops_kev';
export const EPSS = 'secops_epss';
export const EXPLOITABILITY_SOURCES = 'secops_exploitability_sources';
export const GATE_POLICY_VERSIONS = 'secops_gate_policy_versions';
export const NOTICES_SENT = 'secops_notices_sent';
export const OFF_PATH_EXCEPTIONS = 'secops_off_path_exceptions';
export const TICKETS = 'secops_tickets';
export const TICKET_LINKS = 'secops_ticket_links';
export const CHECK_RESULTS = 'secops_check_results';
export const SCORECARDS = 'secops_scorecards';
export const GROUP_SCORES = 'secops_group_scores';
export const CAMPAIGNS = 'secops_campaigns';
export const CHECK_EXEMPTIONS = 'secops_check_exemptions';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;

/** Whether the id is a CVE id (CVE-2021-44228). */
export const isCveId = (id: string) => CVE_ID.test(id);

/**
 * The CVE a finding is about, which KEV and EPSS are joined on: its rule id
 * when that is a CVE id, else its first CVE alias; upper case.
 */
export function cveOf(finding: { ruleId: string; aliases?: string[] }) {
  const cve = isCveId(finding.ruleId)
    ? finding.ruleId
    : finding.aliases?.find(isCveId);
  return cve?.toUpperCase();
}

/** Rows per multi-row insert. */
export const INSERT_CHUNK = 500;
/** Values per `where in` list. */
export const ID_CHUNK = 1000;

/** A timestamp column as read back. */
export type Timestamp = Date | number | string;

/** SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates. */
export function toDate(value: Timestamp): Date {
  return value instanceof Date ? value : new Date(value);
}

/** 0 for critical, up to 4 for info: what the severity_rank column holds. */
export const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** Zero for every severity. */
export function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map(sev => [sev, 0])) as Record<
    Severity,
    number
  >;
}

/** The value cut to the column's width, or null when there is none. */
export function truncate(value: string | undefined, max: number) {
  if (value === undefined) return null;
  return value.length > max ? value.slice(0, max) : value;
}

/** Calls `fn` on successive slices of at most `size` items, one at a time. */
export async function inChunks<T>(
  items: T[],
  size: number,
  fn: (chunk: T[]) => Promise<unknown>,
) {
  for (let i = 0; i < items.length; i += size) {
    await fn(items.slice(i, i + size));
  }
}

/** An opaque keyset cursor for the position `value`. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * The position in a cursor this API handed out; an InputError when the
 * cursor does not decode or `isValid` refuses what it holds.
 */
export function decodeCursor<T>(
  cursor: string,
  isValid: (value: any) => boolean,
): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (isValid(value)) {
      return value;
    }
  } catch {
    // fall through
  }
  throw new InputError('The cursor is not one this API handed out');
}

/**
 * A page of requests (exemptions, off-path exceptions), the latest
 * requested first: keyset pagination on (requested_at, id), both
 * descending. `scoped` makes the query of the whole list (called twice:
 * for the page and its count); `nextCursor` when there is more.
 */
export async function latestRequestedPage<
  R extends { id: string; requested_at: Timestamp },
>(
  scoped: () => Knex.QueryBuilder,
  query: { limit: number; cursor?: string },
): Promise<{ rows: R[]; totalCount: number; nextCursor?: string }> {
  const page = scoped();
  if (query.cursor) {
    const { at, id } = decodeCursor<{ at: number; id: string }>(
      query.cursor,
      value => Number.isFinite(value.at) && typeof value.id === 'string',
    );
    page.andWhere(inner =>
      inner
        .where('requested_at', '<', new Date(at))
        .orWhere(same =>
          same.where('requested_at', new Date(at)).andWhere('id', '<', id),
        ),
    );
  }
  const rows: R[] = await page
    .orderBy([
      { column: 'requested_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(query.limit + 1);
  const [{ count }] = await scoped().count({ count: '*' });
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    rows: items,
    totalCount: Number(count),
    nextCursor:
      rows.length > query.limit
        ? encodeCursor({
            at: toDate(last.requested_at).getTime(),
            id: last.id,
          })
        : undefined,
  };
}
