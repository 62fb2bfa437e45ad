/*
 * Findings (secops_findings) and the scans that report them (secops_scans):
 * one finding per entity, tool and fingerprint, created, seen again, fixed
 * and reopened by each scan, and the reads and counts over them.
 *
 * One file (above 500 lines): one aggregate, whose writes (ingest) and reads
 * share its row mapping, its chunked queries and its definition of overdue.
 */
import {
  FindingCategory,
  IngestResult,
  Page,
  ParsedFinding,
  ParsedPentest,
  Severity,
} from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { logScanEvents } from './eventLog';
import { activeExemptionOf, markExemptions } from './ExemptionStore';
import { markTickets } from './TicketStore';
import {
  describedColumns,
  ExploitabilityColumns,
  exploitabilitySelect,
  FindingRow,
  toFinding,
} from './findingRows';
import { overdueCount, OverdueCutoffs } from './overdue';
import {
  EntityCounts,
  FindingStore,
  IngestInput,
  ListFindingsQuery,
  StoredFinding,
} from './types';
import {
  decodeCursor,
  encodeCursor,
  EPSS,
  EVENTS,
  FINDINGS,
  ID_CHUNK,
  INSERT_CHUNK,
  inChunks,
  KEV,
  rank,
  SCANS,
  Timestamp,
  toDate,
  zeroBySeverity,
} from './tables';

/** A `like` pattern matching `text` anywhere, lower case, escaped with \. */
function containsPattern(text: string) {
  return `%${text.toLowerCase().replace(/[\\%_]/g, c => `\\${c}`)}%`;
}

const noFindings = (): EntityCounts => ({
  open: zeroBySeverity(),
  byCategory: {},
  overdue: 0,
  knownExploited: 0,
  fixed: 0,
});

/** A finding's EPSS score for ordering: -1 without one, so it comes last. */
const EPSS_ORDER = 'coalesce(e.score, -1)';

/** The findings and scans on knex: SQLite and PostgreSQL. */
export class DatabaseFindingStore implements FindingStore {
  constructor(private readonly knex: Knex) {}

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
      const reopenedIds: Array<number | string> = [];
      const seenAgain: Array<number | string> = [];
      const retested: Array<{
        id: number | string;
        pentest: ParsedPentest;
      }> = [];
      for (const finding of byFingerprint.values()) {
        const row = known.get(finding.fingerprint);
        if (!row) {
          toCreate.push(finding);
        } else if (row.status === 'fixed') {
          toReopen.push(finding);
          reopenedIds.push(row.id);
        } else if (finding.pentest) {
          // A retest: what it says of the finding is kept.
          retested.push({ id: row.id, pentest: finding.pentest });
        } else {
          seenAgain.push(row.id);
        }
      }
      const closes = input.closesMissing ?? true;
      const toFix = closes
        ? existing
            .filter(
              row =>
                row.status === 'open' && !byFingerprint.has(row.fingerprint),
            )
            .map(row => row.id)
        : [];

      // Seen again: usually nearly every row of the entity and tool, so
      // named by the few rows that are not (one statement) when they are
      // few, else by id in chunks; before the new rows are inserted, so
      // that the one statement does not touch them.
      const seenAgainSet = new Set(seenAgain);
      const notSeenAgain = existing
        .map(row => row.id)
        .filter(rowId => !seenAgainSet.has(rowId));
      if (seenAgain.length > ID_CHUNK && notSeenAgain.length <= ID_CHUNK) {
        // Bounded by the rows read above: not a row another upload of the
        // same entity and tool committed since.
        const lastId = existing.reduce(
          (most, row) => Math.max(most, Number(row.id)),
          0,
        );
        await tx(FINDINGS)
          .where({ entity_ref: input.entityRef, tool: input.tool })
          .andWhere('id', '<=', lastId)
          .modify(q => {
            if (notSeenAgain.length > 0) q.whereNotIn('id', notSeenAgain);
          })
          .update({ last_seen_at: now, last_scan_id: scanId });
      } else {
        await inChunks(seenAgain, ID_CHUNK, ids =>
          tx(FINDINGS)
            .whereIn('id', ids)
            .update({ last_seen_at: now, last_scan_id: scanId }),
        );
      }
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
      for (const { id, pentest } of retested) {
        await tx(FINDINGS)
          .where('id', id)
          .update({
            last_seen_at: now,
            last_scan_id: scanId,
            pentest: JSON.stringify(pentest),
          });
      }
      await inChunks(toFix, ID_CHUNK, ids =>
        tx(FINDINGS)
          .whereIn('id', ids)
          .update({ status: 'fixed', fixed_at: now }),
      );

      // The event log for the SIEM export: one row per finding that changed.
      await logScanEvents(tx, {
        entityRef: input.entityRef,
        tool: input.tool,
        scanId,
        actor: input.uploadedBy,
        at: now,
        reopenedIds,
        fixedIds: toFix,
      });

      const result: IngestResult = {
        scanId,
        entityRef: input.entityRef,
        tool: input.tool,
        format: input.format as IngestResult['format'],
        received: byFingerprint.size,
        created: toCreate.length,
        reopened: toReopen.length,
        unchanged: seenAgain.length + retested.length,
        fixed: toFix.length,
        closesMissing: closes,
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

  async lastScans(
    entityRefs: string[],
    match?: { formats: string[]; tools: string[] },
  ): Promise<Map<string, Date>> {
    const last = new Map<string, Date>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const query = this.knex(SCANS).whereIn('entity_ref', refs);
      if (match) {
        query.andWhere(q =>
          q.whereIn('format', match.formats).orWhereIn('tool', match.tools),
        );
      }
      const rows: Array<{ entity_ref: string; last: Timestamp }> = await query
        .groupBy('entity_ref')
        .select('entity_ref', this.knex.raw('max(created_at) as last'));
      for (const row of rows) {
        last.set(row.entity_ref, toDate(row.last));
      }
    });
    return last;
  }

  async hasScan(entityRef: string, tool: string): Promise<boolean> {
    const row = await this.knex(SCANS)
      .where({ entity_ref: entityRef, tool })
      .first('id');
    return Boolean(row);
  }

  async listFindings(query: ListFindingsQuery): Promise<Page<StoredFinding>> {
    // The findings (f) with their CVE's KEV entry (k) and EPSS score (e).
    const filtered = () => {
      const q = this.knex(`${FINDINGS} as f`)
        .leftJoin(`${KEV} as k`, 'k.cve', 'f.cve_id')
        .leftJoin(`${EPSS} as e`, 'e.cve', 'f.cve_id')
        .where('f.entity_ref', query.entityRef);
      if (query.status) q.andWhere('f.status', query.status);
      if (query.severities?.length) q.whereIn('f.severity', query.severities);
      if (query.categories?.length) q.whereIn('f.category', query.categories);
      if (query.knownExploited === true) q.whereNotNull('k.cve');
      if (query.knownExploited === false) q.whereNull('k.cve');
      if (query.assignee === null) q.whereNull('f.assignee');
      if (query.assignee) q.andWhere('f.assignee', query.assignee);
      if (query.search) {
        const like = containsPattern(query.search);
        q.andWhere(inner =>
          [
            'f.rule_id',
            'f.title',
            'f.package_name',
            'f.location_path',
            'f.aliases',
          ].forEach(column =>
            inner.orWhereRaw(`lower(${column}) like ? escape '\\'`, [like]),
          ),
        );
      }
      return q;
    };

    const byEpss = query.sort === 'epss';
    const page = filtered();
    if (byEpss) {
      // Keyset paging over (EPSS score, id): highest score first, findings
      // without one last, then oldest.
      if (query.cursor) {
        const { s: score, id } = decodeCursor<{ s: number; id: string }>(
          query.cursor,
          value =>
            value.o === 'epss' &&
            typeof value.s === 'number' &&
            /^\d+$/.test(value.id),
        );
        page.andWhere(inner =>
          inner
            .whereRaw(`${EPSS_ORDER} < ?`, [score])
            .orWhere(same =>
              same
                .whereRaw(`${EPSS_ORDER} = ?`, [score])
                .andWhere('f.id', '>', Number(id)),
            ),
        );
      }
      page.orderByRaw(`${EPSS_ORDER} desc, f.id asc`);
    } else {
      // Keyset paging over (severity_rank, id): worst first, then oldest.
      if (query.cursor) {
        const { r, id } = decodeCursor<{ r: number; id: string }>(
          query.cursor,
          value =>
            value.o === undefined &&
            Number.isInteger(value.r) &&
            /^\d+$/.test(value.id),
        );
        page.andWhere(inner =>
          inner
            .where('f.severity_rank', '>', r)
            .orWhere(same =>
              same
                .where('f.severity_rank', r)
                .andWhere('f.id', '>', Number(id)),
            ),
        );
      }
      page.orderBy([
        { column: 'f.severity_rank', order: 'asc' },
        { column: 'f.id', order: 'asc' },
      ]);
    }
    const rows: Array<FindingRow & ExploitabilityColumns> = await page
      .limit(query.limit + 1)
      .select(exploitabilitySelect);
    const [{ count }] = await filtered().count({ count: '*' });

    const hasMore = rows.length > query.limit;
    const items = rows.slice(0, query.limit);
    const findings = items.map(toFinding);
    await markExemptions(this.knex, findings, query.now ?? new Date());
    await markTickets(this.knex, findings);
    const last = items[items.length - 1];
    let nextCursor: string | undefined;
    if (hasMore) {
      nextCursor = byEpss
        ? encodeCursor({
            o: 'epss',
            s:
              last.epss_score === null || last.epss_score === undefined
                ? -1
                : Number(last.epss_score),
            id: String(last.id),
          })
        : encodeCursor({ r: last.severity_rank, id: String(last.id) });
    }
    return { items: findings, totalCount: Number(count), nextCursor };
  }

  async getFinding(id: string): Promise<StoredFinding | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.knex<FindingRow>(FINDINGS)
      .where('id', Number(id))
      .first();
    return row ? toFinding(row) : undefined;
  }

  async appearedInScan(
    scanId: string,
    worst: Severity,
    limit: number,
  ): Promise<{ items: StoredFinding[]; totalCount: number }> {
    const scan = await this.knex(SCANS).where('id', scanId).first();
    if (!scan) return { items: [], totalCount: 0 };
    // The scan's created and reopened events carry its time and entity.
    const appeared = () =>
      this.knex(`${FINDINGS} as f`)
        .where('f.last_scan_id', scanId)
        .andWhere('f.status', 'open')
        .andWhere('f.severity_rank', '<=', rank(worst))
        .whereExists(
          this.knex(`${EVENTS} as e`)
            .select(this.knex.raw('1'))
            .where('e.kind', 'finding')
            .whereIn('e.action', ['created', 'reopened'])
            .andWhere('e.entity_ref', scan.entity_ref)
            .andWhere('e.created_at', scan.created_at)
            .whereRaw('e.ref_id = cast(f.id as varchar(64))'),
        );
    const [rows, [{ n }]] = await Promise.all([
      appeared()
        .select('f.*')
        .orderBy([
          { column: 'f.severity_rank', order: 'asc' },
          { column: 'f.id', order: 'asc' },
        ])
        .limit(limit),
      appeared().count({ n: '*' }),
    ]);
    return {
      items: (rows as FindingRow[]).map(toFinding),
      totalCount: Number(n),
    };
  }

  async getFindings(ids: string[]): Promise<StoredFinding[]> {
    const numeric = ids.filter(id => /^\d{1,18}$/.test(id)).map(Number);
    if (!numeric.length) return [];
    const rows = await this.knex<FindingRow>(FINDINGS).whereIn('id', numeric);
    return rows.map(toFinding);
  }

  async assign(
    ids: string[],
    assignment: { assignee: string | null; by: string; at: Date },
  ): Promise<number> {
    if (!ids.length) return 0;
    const changed = await this.knex<FindingRow>(FINDINGS)
      .whereIn('id', ids.map(Number))
      .update({
        assignee: assignment.assignee,
        assigned_by: assignment.assignee ? assignment.by : null,
        assigned_at: assignment.assignee ? assignment.at : null,
      });
    return Number(changed);
  }

  /** The open findings a gate rule counts, of the given entities. */
  private gateCounted(
    entityRefs: string[],
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ) {
    const q = this.knex(`${FINDINGS} as f`)
      .whereIn('f.entity_ref', entityRefs)
      .andWhere('f.status', 'open')
      .andWhere('f.severity_rank', '<=', rank(query.severity))
      .whereNotExists(activeExemptionOf(this.knex, 'f.id', query.now));
    if (query.firstSeenBefore) {
      q.andWhere('f.first_seen_at', '<', query.firstSeenBefore);
    }
    return q;
  }

  async countForGateOf(
    entityRefs: string[],
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{ entity_ref: string; count: number | string }> =
        await this.gateCounted(refs, query)
          .groupBy('f.entity_ref')
          .select('f.entity_ref')
          .count({ count: '*' });
      for (const row of rows) counts.set(row.entity_ref, Number(row.count));
    });
    return counts;
  }

  async countForGate(
    entityRef: string,
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ): Promise<{ count: number; examples: StoredFinding[] }> {
    const counted = () => this.gateCounted([entityRef], query);
    const [{ count }] = await counted().count({ count: '*' });
    const examples: FindingRow[] = await counted()
      .orderBy([
        { column: 'f.severity_rank', order: 'asc' },
        { column: 'f.first_seen_at', order: 'asc' },
      ])
      .limit(5)
      .select('f.*');
    return { count: Number(count), examples: examples.map(toFinding) };
  }

  async topRisks(limit: number): Promise<StoredFinding[]> {
    const rows: Array<FindingRow & ExploitabilityColumns> = await this.knex(
      `${FINDINGS} as f`,
    )
      .leftJoin(`${KEV} as k`, 'k.cve', 'f.cve_id')
      .leftJoin(`${EPSS} as e`, 'e.cve', 'f.cve_id')
      .where('f.status', 'open')
      .orderBy([
        { column: 'f.severity_rank', order: 'asc' },
        { column: 'f.first_seen_at', order: 'asc' },
        { column: 'f.id', order: 'asc' },
      ])
      .limit(limit)
      .select(exploitabilitySelect);
    return rows.map(toFinding);
  }

  async findExposure(
    id: string,
    limit: number,
    options: { knownExploited?: boolean } = {},
  ) {
    const needle = id.trim();
    const query = this.knex(`${FINDINGS} as f`)
      .leftJoin(`${KEV} as k`, 'k.cve', 'f.cve_id')
      .leftJoin(`${EPSS} as e`, 'e.cve', 'f.cve_id')
      .where('f.status', 'open')
      .andWhere(inner =>
        inner
          .whereRaw('lower(f.rule_id) = ?', [needle.toLowerCase()])
          .orWhereRaw(`lower(f.aliases) like ? escape '\\'`, [
            containsPattern(JSON.stringify(needle)),
          ])
          .orWhereRaw('lower(f.package_name) = ?', [needle.toLowerCase()]),
      );
    if (options.knownExploited) query.whereNotNull('k.cve');
    const rows: Array<FindingRow & ExploitabilityColumns> = await query
      .orderBy('f.severity_rank', 'asc')
      .limit(5000)
      .select(exploitabilitySelect);
    const byEntity = new Map<
      string,
      {
        entityRef: string;
        findings: number;
        worst: Severity;
        packages: Set<string>;
        knownExploited: boolean;
        epssPercentile?: number;
      }
    >();
    for (const row of rows) {
      const entry = byEntity.get(row.entity_ref) ?? {
        entityRef: row.entity_ref,
        findings: 0,
        worst: row.severity as Severity,
        packages: new Set<string>(),
        knownExploited: false,
      };
      entry.findings += 1;
      if (row.kev_date_added) entry.knownExploited = true;
      if (row.epss_percentile !== null && row.epss_percentile !== undefined) {
        entry.epssPercentile = Math.max(
          entry.epssPercentile ?? 0,
          Number(row.epss_percentile),
        );
      }
      if (row.package_name) {
        entry.packages.add(
          row.package_version
            ? `${row.package_name}@${row.package_version}`
            : row.package_name,
        );
      }
      byEntity.set(row.entity_ref, entry);
    }
    return [...byEntity.values()]
      .sort((a, b) => rank(a.worst) - rank(b.worst) || b.findings - a.findings)
      .slice(0, limit)
      .map(e => ({ ...e, packages: [...e.packages].sort() }));
  }

  async countForEntities(
    entityRefs: string[],
    overdueBefore: OverdueCutoffs,
  ): Promise<Map<string, EntityCounts>> {
    const result = new Map<string, EntityCounts>();
    await inChunks(entityRefs, ID_CHUNK, refs =>
      this.countInto(result, overdueBefore, refs),
    );
    return result;
  }

  async countForAll(
    overdueBefore: OverdueCutoffs,
  ): Promise<Map<string, EntityCounts>> {
    const result = new Map<string, EntityCounts>();
    await this.countInto(result, overdueBefore);
    return result;
  }

  /**
   * Adds the counts of `refs` (of every entity when absent: one pass over
   * each table, rather than an index lookup per entity) to `result`.
   */
  private async countInto(
    result: Map<string, EntityCounts>,
    overdueBefore: OverdueCutoffs,
    refs?: string[],
  ) {
    const countsOf = (entityRef: string) => {
      const counts = result.get(entityRef) ?? noFindings();
      result.set(entityRef, counts);
      return counts;
    };
    const rows: Array<{
      entity_ref: string;
      status: string;
      severity: string;
      category: string;
      n: number | string;
      overdue: number | string | null;
    }> = await this.knex(FINDINGS)
      .modify(q => {
        if (refs) q.whereIn('entity_ref', refs);
      })
      .groupBy('entity_ref', 'status', 'severity', 'category')
      .select(
        'entity_ref',
        'status',
        'severity',
        'category',
        this.knex.raw('count(*) as n'),
        this.knex.raw('? as overdue', [overdueCount(this.knex, overdueBefore)]),
      );
    for (const row of rows) {
      const counts = countsOf(row.entity_ref);
      const n = Number(row.n);
      if (row.status === 'fixed') {
        counts.fixed += n;
        continue;
      }
      counts.open[row.severity as Severity] += n;
      const category = row.category as FindingCategory;
      counts.byCategory[category] = (counts.byCategory[category] ?? 0) + n;
      counts.overdue += Number(row.overdue ?? 0);
    }
    const exploited: Array<{ entity_ref: string; n: number | string }> =
      await this.knex(`${FINDINGS} as f`)
        .join(`${KEV} as k`, 'k.cve', 'f.cve_id')
        .modify(q => {
          if (refs) q.whereIn('f.entity_ref', refs);
        })
        .andWhere('f.status', 'open')
        .groupBy('f.entity_ref')
        .select('f.entity_ref', this.knex.raw('count(*) as n'));
    for (const row of exploited) {
      countsOf(row.entity_ref).knownExploited += Number(row.n);
    }
    const scans: Array<{ entity_ref: string; at: Timestamp }> = await this.knex(
      SCANS,
    )
      .modify(q => {
        if (refs) q.whereIn('entity_ref', refs);
      })
      .groupBy('entity_ref')
      .select('entity_ref')
      .max({ at: 'created_at' });
    for (const scan of scans) {
      countsOf(scan.entity_ref).lastScanAt = toDate(scan.at);
    }
  }

  async countFindings(
    entityRef: string,
    overdueBefore: OverdueCutoffs,
  ): Promise<EntityCounts> {
    const counts = await this.countForEntities([entityRef], overdueBefore);
    return counts.get(entityRef) ?? noFindings();
  }
}
