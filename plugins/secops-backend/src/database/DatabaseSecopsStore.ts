import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  FindingCategory,
  IngestResult,
  Page,
  ParsedFinding,
  Severity,
  SEVERITIES,
} from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  EntityCounts,
  IngestInput,
  ListFindingsQuery,
  SecopsStore,
  StoredFinding,
} from './SecopsStore';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-secops-backend',
  'migrations',
);

const FINDINGS = 'secops_findings';
const SCANS = 'secops_scans';
const INSERT_CHUNK = 500;
const ID_CHUNK = 1000;

type FindingRow = {
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
  first_seen_at: Date | number | string;
  last_seen_at: Date | number | string;
  fixed_at: Date | number | string | null;
  last_scan_id: string;
};

/** SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates. */
function toDate(value: Date | number | string): Date {
  return value instanceof Date ? value : new Date(value);
}

const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

function truncate(value: string | undefined, max: number) {
  if (value === undefined) return null;
  return value.length > max ? value.slice(0, max) : value;
}

/** The columns a report describes (as opposed to what the store tracks). */
function describedColumns(finding: ParsedFinding) {
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
  };
}

function toFinding(row: FindingRow): StoredFinding {
  return {
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
  };
}

/** Keyset cursor over (severity_rank, id): worst first, then oldest. */
function encodeCursor(row: { severity_rank: number; id: number | string }) {
  return Buffer.from(
    JSON.stringify({ r: row.severity_rank, id: String(row.id) }),
  ).toString('base64url');
}

function decodeCursor(cursor: string): { r: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isInteger(value.r) && /^\d+$/.test(value.id)) {
      return value;
    }
  } catch {
    // fall through
  }
  throw new InputError('The cursor is not one this API handed out');
}

async function inChunks<T>(
  items: T[],
  size: number,
  fn: (chunk: T[]) => Promise<unknown>,
) {
  for (let i = 0; i < items.length; i += size) {
    await fn(items.slice(i, i + size));
  }
}

/** The SecOps store on knex: SQLite and PostgreSQL. */
export class DatabaseSecopsStore implements SecopsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseSecopsStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new DatabaseSecopsStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  async ingest(input: IngestInput, now: Date): Promise<IngestResult> {
    const scanId = randomUUID();
    // One row per fingerprint: the worst severity wins.
    const byFingerprint = new Map<string, ParsedFinding>();
    for (const finding of input.findings) {
      const seen = byFingerprint.get(finding.fingerprint);
      if (!seen || rank(finding.severity) < rank(seen.severity)) {
        byFingerprint.set(finding.fingerprint, finding);
      }
    }

    return this.knex.transaction(async tx => {
      const existing: Array<{
        id: number | string;
        fingerprint: string;
        status: string;
      }> = await tx(FINDINGS)
        .where({ entity_ref: input.entityRef, tool: input.tool })
        .select('id', 'fingerprint', 'status');
      const known = new Map(existing.map(row => [row.fingerprint, row]));

      const toCreate: ParsedFinding[] = [];
      const toReopen: ParsedFinding[] = [];
      const seenAgain: Array<number | string> = [];
      for (const finding of byFingerprint.values()) {
        const row = known.get(finding.fingerprint);
        if (!row) {
          toCreate.push(finding);
        } else if (row.status === 'fixed') {
          toReopen.push(finding);
        } else {
          seenAgain.push(row.id);
        }
      }
      const toFix = existing
        .filter(
          row => row.status === 'open' && !byFingerprint.has(row.fingerprint),
        )
        .map(row => row.id);

      await inChunks(toCreate, INSERT_CHUNK, chunk =>
        tx(FINDINGS).insert(
          chunk.map(finding => ({
            entity_ref: input.entityRef,
            tool: input.tool,
            fingerprint: finding.fingerprint,
            ...describedColumns(finding),
            status: 'open',
            first_seen_at: now,
            last_seen_at: now,
            fixed_at: null,
            last_scan_id: scanId,
          })),
        ),
      );
      for (const finding of toReopen) {
        await tx(FINDINGS)
          .where({
            entity_ref: input.entityRef,
            tool: input.tool,
            fingerprint: finding.fingerprint,
          })
          .update({
            ...describedColumns(finding),
            status: 'open',
            fixed_at: null,
            last_seen_at: now,
            last_scan_id: scanId,
          });
      }
      await inChunks(seenAgain, ID_CHUNK, ids =>
        tx(FINDINGS)
          .whereIn('id', ids)
          .update({ last_seen_at: now, last_scan_id: scanId }),
      );
      await inChunks(toFix, ID_CHUNK, ids =>
        tx(FINDINGS)
          .whereIn('id', ids)
          .update({ status: 'fixed', fixed_at: now }),
      );

      const result: IngestResult = {
        scanId,
        entityRef: input.entityRef,
        tool: input.tool,
        format: input.format as IngestResult['format'],
        received: byFingerprint.size,
        created: toCreate.length,
        reopened: toReopen.length,
        unchanged: seenAgain.length,
        fixed: toFix.length,
      };
      await tx(SCANS).insert({
        id: scanId,
        entity_ref: input.entityRef,
        tool: input.tool,
        format: input.format,
        commit_sha: input.commitSha ?? null,
        branch: input.branch ?? null,
        uploaded_by: input.uploadedBy,
        report_sha256: input.reportSha256,
        received: result.received,
        created: result.created,
        reopened: result.reopened,
        unchanged: result.unchanged,
        fixed: result.fixed,
        created_at: now,
      });
      return result;
    });
  }

  async hasScan(entityRef: string, tool: string): Promise<boolean> {
    const row = await this.knex(SCANS)
      .where({ entity_ref: entityRef, tool })
      .first('id');
    return Boolean(row);
  }

  async listFindings(query: ListFindingsQuery): Promise<Page<StoredFinding>> {
    const filtered = () => {
      const q = this.knex<FindingRow>(FINDINGS).where(
        'entity_ref',
        query.entityRef,
      );
      if (query.status) q.andWhere('status', query.status);
      if (query.severities?.length) q.whereIn('severity', query.severities);
      if (query.categories?.length) q.whereIn('category', query.categories);
      if (query.search) {
        const like = `%${query.search
          .toLowerCase()
          .replace(/[\\%_]/g, c => `\\${c}`)}%`;
        q.andWhere(inner =>
          [
            'rule_id',
            'title',
            'package_name',
            'location_path',
            'aliases',
          ].forEach(column =>
            inner.orWhereRaw(`lower(${column}) like ? escape '\\'`, [like]),
          ),
        );
      }
      return q;
    };

    const page = filtered();
    if (query.cursor) {
      const { r, id } = decodeCursor(query.cursor);
      page.andWhere(inner =>
        inner
          .where('severity_rank', '>', r)
          .orWhere(same =>
            same.where('severity_rank', r).andWhere('id', '>', Number(id)),
          ),
      );
    }
    const rows: FindingRow[] = await page
      .orderBy([
        { column: 'severity_rank', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(query.limit + 1)
      .select('*');
    const [{ count }] = await filtered().count({ count: '*' });

    const hasMore = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    return {
      items: items.map(toFinding),
      totalCount: Number(count),
      nextCursor: hasMore ? encodeCursor(items[items.length - 1]) : undefined,
    };
  }

  async countFindings(
    entityRef: string,
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<EntityCounts> {
    const grouped: Array<{
      status: string;
      severity: string;
      category: string;
      count: number | string;
    }> = await this.knex(FINDINGS)
      .where('entity_ref', entityRef)
      .groupBy('status', 'severity', 'category')
      .select('status', 'severity', 'category')
      .count({ count: '*' });

    const open = Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<
      Severity,
      number
    >;
    const byCategory: Partial<Record<FindingCategory, number>> = {};
    let fixed = 0;
    for (const row of grouped) {
      const n = Number(row.count);
      if (row.status === 'fixed') {
        fixed += n;
        continue;
      }
      open[row.severity as Severity] += n;
      const category = row.category as FindingCategory;
      byCategory[category] = (byCategory[category] ?? 0) + n;
    }

    let overdue = 0;
    const cutoffs = Object.entries(overdueBefore) as Array<[Severity, Date]>;
    if (cutoffs.length) {
      const [row] = await this.knex(FINDINGS)
        .where({ entity_ref: entityRef, status: 'open' })
        .andWhere(inner =>
          cutoffs.forEach(([severity, before]) =>
            inner.orWhere(one =>
              one
                .where('severity', severity)
                .andWhere('first_seen_at', '<', before),
            ),
          ),
        )
        .count({ count: '*' });
      overdue = Number(row.count);
    }

    const [last] = await this.knex(SCANS)
      .where('entity_ref', entityRef)
      .max({ at: 'created_at' });

    return {
      open,
      byCategory,
      overdue,
      fixed,
      lastScanAt: last?.at ? toDate(last.at) : undefined,
    };
  }
}
