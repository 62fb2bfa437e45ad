import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Exemption,
  FindingCategory,
  GateDecision,
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
  ExemptionDecision,
  StoredEvent,
  TrendPoint,
  WebhookDelivery,
  IngestInput,
  NewExemption,
  RecordedGateDecision,
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
const DECISIONS = 'secops_gate_decisions';
const EVENTS = 'secops_events';
const DELIVERIES = 'secops_webhook_deliveries';
const EXEMPTIONS = 'secops_exemptions';

type ExemptionRow = {
  id: string;
  finding_id: number | string;
  entity_ref: string;
  justification: string;
  requested_by: string;
  requested_at: Date | number | string;
  expires_at: Date | number | string;
  status: string;
  decided_by: string | null;
  decided_at: Date | number | string | null;
  decision_comment: string | null;
};

function toExemption(row: ExemptionRow, now: Date): Exemption {
  const expiresAt = toDate(row.expires_at);
  return {
    id: row.id,
    findingId: String(row.finding_id),
    entityRef: row.entity_ref,
    justification: row.justification,
    requestedBy: row.requested_by,
    requestedAt: toDate(row.requested_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: row.status as Exemption['status'],
    active: row.status === 'approved' && expiresAt.getTime() > now.getTime(),
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at
      ? toDate(row.decided_at).toISOString()
      : undefined,
    decisionComment: row.decision_comment ?? undefined,
  };
}
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

function toDelivery(row: {
  name: string;
  cursor: number | string;
  attempts: number;
  next_attempt_at: Date | number | string | null;
  last_error: string | null;
  updated_at: Date | number | string;
}): WebhookDelivery {
  return {
    name: row.name,
    cursor: String(row.cursor),
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at
      ? toDate(row.next_attempt_at)
      : undefined,
    lastError: row.last_error ?? undefined,
    updatedAt: toDate(row.updated_at),
  };
}

function decodeExemptionCursor(cursor: string): { at: number; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isFinite(value.at) && typeof value.id === 'string') {
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
      const reopenedIds: Array<number | string> = [];
      const seenAgain: Array<number | string> = [];
      for (const finding of byFingerprint.values()) {
        const row = known.get(finding.fingerprint);
        if (!row) {
          toCreate.push(finding);
        } else if (row.status === 'fixed') {
          toReopen.push(finding);
          reopenedIds.push(row.id);
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

      // The event log for the SIEM export: one row per finding that changed.
      const actor = truncate(input.uploadedBy, 255)!;
      await tx(
        tx.raw('?? (kind, action, entity_ref, ref_id, actor, created_at)', [
          EVENTS,
        ]),
      ).insert(
        tx(FINDINGS)
          .select(
            tx.raw(`cast(? as varchar(16))`, ['finding']),
            tx.raw(`cast(? as varchar(16))`, ['created']),
            'entity_ref',
            tx.raw('cast(id as varchar(64))'),
            tx.raw('cast(? as varchar(255))', [actor]),
            tx.raw('cast(? as timestamp with time zone)', [now]),
          )
          .where({ entity_ref: input.entityRef, tool: input.tool })
          .andWhere('last_scan_id', scanId)
          .andWhere('first_seen_at', now),
      );
      const changed = [
        ...reopenedIds.map(id => ['reopened', id] as const),
        ...toFix.map(id => ['fixed', id] as const),
      ];
      await inChunks(changed, INSERT_CHUNK, chunk =>
        tx(EVENTS).insert(
          chunk.map(([action, id]) => ({
            kind: 'finding',
            action,
            entity_ref: input.entityRef,
            ref_id: String(id),
            actor,
            created_at: now,
          })),
        ),
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
    const findings = items.map(toFinding);
    if (findings.length) {
      const now = query.now ?? new Date();
      const exemptions: Array<{
        finding_id: number | string;
        status: string;
        expires_at: Date | number | string;
      }> = await this.knex(EXEMPTIONS)
        .whereIn(
          'finding_id',
          findings.map(f => Number(f.id)),
        )
        .andWhere(inner =>
          inner
            .where('status', 'pending')
            .orWhere(active =>
              active
                .where('status', 'approved')
                .andWhere('expires_at', '>', now),
            ),
        )
        .select('finding_id', 'status', 'expires_at');
      const byFinding = new Map(findings.map(f => [f.id, f]));
      for (const exemption of exemptions) {
        const finding = byFinding.get(String(exemption.finding_id))!;
        if (exemption.status === 'pending') {
          finding.exemptionPending = true;
        } else {
          finding.exemptedUntil = toDate(exemption.expires_at);
        }
      }
    }
    return {
      items: findings,
      totalCount: Number(count),
      nextCursor: hasMore ? encodeCursor(items[items.length - 1]) : undefined,
    };
  }

  private async logEvent(
    kind: 'finding' | 'gate' | 'exemption',
    action: string,
    entityRef: string,
    refId: string,
    actor: string,
    at: Date,
    tx: Knex = this.knex,
  ) {
    await tx(EVENTS).insert({
      kind,
      action,
      entity_ref: entityRef,
      ref_id: refId,
      actor: truncate(actor, 255),
      created_at: at,
    });
  }

  async trend(
    entityRefs: string[],
    days: number,
    now: Date,
  ): Promise<TrendPoint[]> {
    const DAY_MS = 86400000;
    const isPg = this.knex.client.config.client === 'pg';
    const dayExpr = isPg
      ? 'floor(extract(epoch from e.created_at) / 86400)'
      : 'cast(e.created_at / 86400000 as integer)';
    // Net change of open findings per day and severity, over all time: the
    // days before the window give the starting level.
    const deltas = new Map<number, Record<Severity, number>>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{
        day: number | string;
        severity: Severity;
        action: string;
        n: number | string;
      }> = await this.knex(`${EVENTS} as e`)
        .joinRaw(
          `join ${FINDINGS} as f on e.ref_id = cast(f.id as varchar(64))`,
        )
        .where('e.kind', 'finding')
        .whereIn('e.entity_ref', refs)
        // A finding's events carry its entity: said on both sides, the
        // database joins the entities' few findings, not all of them.
        .whereIn('f.entity_ref', refs)
        .groupByRaw(`${dayExpr}, f.severity, e.action`)
        .select(
          this.knex.raw(`${dayExpr} as day`),
          'f.severity as severity',
          'e.action as action',
          this.knex.raw('count(*) as n'),
        );
      for (const row of rows) {
        const day = Number(row.day);
        const delta =
          deltas.get(day) ??
          (Object.fromEntries(SEVERITIES.map(sev => [sev, 0])) as Record<
            Severity,
            number
          >);
        const sign = row.action === 'fixed' ? -1 : 1;
        delta[row.severity] += sign * Number(row.n);
        deltas.set(day, delta);
      }
    });

    const today = Math.floor(now.getTime() / DAY_MS);
    const first = today - days + 1;
    const level = Object.fromEntries(SEVERITIES.map(sev => [sev, 0])) as Record<
      Severity,
      number
    >;
    for (const [day, delta] of deltas) {
      if (day < first) {
        SEVERITIES.forEach(sev => (level[sev] += delta[sev]));
      }
    }
    const points: TrendPoint[] = [];
    for (let day = first; day <= today; day++) {
      const delta = deltas.get(day);
      if (delta) SEVERITIES.forEach(sev => (level[sev] += delta[sev]));
      points.push({
        day: new Date(day * DAY_MS).toISOString().slice(0, 10),
        open: { ...level },
      });
    }
    return points;
  }

  async getWebhookDelivery(name: string): Promise<WebhookDelivery> {
    const row = await this.knex(DELIVERIES).where('name', name).first();
    return row ? toDelivery(row) : { name, cursor: '0', attempts: 0 };
  }

  async saveWebhookDelivery(delivery: WebhookDelivery, now: Date) {
    await this.knex(DELIVERIES)
      .insert({
        name: delivery.name,
        cursor: Number(delivery.cursor),
        attempts: delivery.attempts,
        next_attempt_at: delivery.nextAttemptAt ?? null,
        last_error: delivery.lastError ?? null,
        updated_at: now,
      })
      .onConflict('name')
      .merge();
  }

  async listWebhookDeliveries(): Promise<WebhookDelivery[]> {
    const rows = await this.knex(DELIVERIES).orderBy('name');
    return rows.map(toDelivery);
  }

  async listEvents(query: {
    afterId?: string;
    limit: number;
  }): Promise<StoredEvent[]> {
    const rows: Array<{
      id: number | string;
      kind: string;
      action: string;
      entity_ref: string;
      ref_id: string;
      actor: string;
      created_at: Date | number | string;
    }> = await this.knex(EVENTS)
      .where('id', '>', Number(query.afterId ?? 0))
      .orderBy('id', 'asc')
      .limit(query.limit);
    if (!rows.length) return [];

    const idsOf = (kind: string) =>
      rows.filter(r => r.kind === kind).map(r => r.ref_id);
    const findingIds = idsOf('finding').map(Number);
    const findings = new Map<string, StoredFinding>();
    await inChunks(findingIds, ID_CHUNK, async ids => {
      const found: FindingRow[] = await this.knex<FindingRow>(FINDINGS).whereIn(
        'id',
        ids,
      );
      found.forEach(row => findings.set(String(row.id), toFinding(row)));
    });
    const decisions = new Map<string, GateDecision>();
    const decisionIds = idsOf('gate');
    if (decisionIds.length) {
      const found = await this.knex(DECISIONS).whereIn('id', decisionIds);
      for (const row of found) {
        decisions.set(row.id, {
          decisionId: row.id,
          entityRef: row.entity_ref,
          gate: row.gate,
          passed: Boolean(row.passed),
          reasons: JSON.parse(row.reasons),
          evaluatedAt: toDate(row.created_at).toISOString(),
        });
      }
    }
    const exemptions = new Map<string, Exemption>();
    const exemptionIds = idsOf('exemption');
    if (exemptionIds.length) {
      const now = new Date();
      const found: ExemptionRow[] = await this.knex<ExemptionRow>(
        EXEMPTIONS,
      ).whereIn('id', exemptionIds);
      found.forEach(row => exemptions.set(row.id, toExemption(row, now)));
    }

    return rows.map(row => ({
      id: String(row.id),
      kind: row.kind as StoredEvent['kind'],
      action: row.action,
      entityRef: row.entity_ref,
      actor: row.actor,
      at: toDate(row.created_at),
      finding: row.kind === 'finding' ? findings.get(row.ref_id) : undefined,
      decision: row.kind === 'gate' ? decisions.get(row.ref_id) : undefined,
      exemption:
        row.kind === 'exemption' ? exemptions.get(row.ref_id) : undefined,
    }));
  }

  async getFinding(id: string): Promise<StoredFinding | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await this.knex<FindingRow>(FINDINGS)
      .where('id', Number(id))
      .first();
    return row ? toFinding(row) : undefined;
  }

  async countForGate(
    entityRef: string,
    query: { severity: Severity; firstSeenBefore?: Date; now: Date },
  ): Promise<{ count: number; examples: StoredFinding[] }> {
    const counted = () => {
      const q = this.knex(`${FINDINGS} as f`)
        .where('f.entity_ref', entityRef)
        .andWhere('f.status', 'open')
        .andWhere('f.severity_rank', '<=', rank(query.severity))
        .whereNotExists(
          this.knex(`${EXEMPTIONS} as e`)
            .select(this.knex.raw('1'))
            .whereRaw('e.finding_id = f.id')
            .andWhere('e.status', 'approved')
            .andWhere('e.expires_at', '>', query.now),
        );
      if (query.firstSeenBefore) {
        q.andWhere('f.first_seen_at', '<', query.firstSeenBefore);
      }
      return q;
    };
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

  async recordGateDecision(decision: RecordedGateDecision): Promise<string> {
    const id = randomUUID();
    await this.knex(DECISIONS).insert({
      id,
      entity_ref: decision.entityRef,
      gate: decision.gate,
      passed: decision.passed,
      reasons: JSON.stringify(decision.reasons),
      commit_sha: decision.commitSha ?? null,
      branch: decision.branch ?? null,
      requested_by: decision.requestedBy,
      created_at: new Date(decision.evaluatedAt),
    });
    await this.logEvent(
      'gate',
      decision.passed ? 'passed' : 'failed',
      decision.entityRef,
      id,
      decision.requestedBy,
      new Date(decision.evaluatedAt),
    );
    return id;
  }

  async latestGateDecision(
    entityRef: string,
  ): Promise<GateDecision | undefined> {
    const row = await this.knex(DECISIONS)
      .where('entity_ref', entityRef)
      .orderBy('created_at', 'desc')
      .first();
    if (!row) return undefined;
    return {
      decisionId: row.id,
      entityRef: row.entity_ref,
      gate: row.gate,
      passed: Boolean(row.passed),
      reasons: JSON.parse(row.reasons),
      evaluatedAt: toDate(row.created_at).toISOString(),
    };
  }

  async createExemption(input: NewExemption, now: Date): Promise<Exemption> {
    return this.knex.transaction(async tx => {
      const open = await tx(EXEMPTIONS)
        .where('finding_id', Number(input.findingId))
        .andWhere(inner =>
          inner
            .where('status', 'pending')
            .orWhere(active =>
              active
                .where('status', 'approved')
                .andWhere('expires_at', '>', now),
            ),
        )
        .first('id', 'status');
      if (open) {
        throw new ConflictError(
          `The finding already has a ${open.status} exemption (${open.id})`,
        );
      }
      const row: ExemptionRow = {
        id: randomUUID(),
        finding_id: Number(input.findingId),
        entity_ref: input.entityRef,
        justification: input.justification,
        requested_by: input.requestedBy,
        requested_at: now,
        expires_at: input.expiresAt,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        decision_comment: null,
      };
      await tx(EXEMPTIONS).insert(row);
      await this.logEvent(
        'exemption',
        'requested',
        input.entityRef,
        row.id,
        input.requestedBy,
        now,
        tx,
      );
      return toExemption(row, now);
    });
  }

  async getExemption(id: string, now: Date): Promise<Exemption | undefined> {
    const row = await this.knex<ExemptionRow>(EXEMPTIONS)
      .where('id', id)
      .first();
    return row ? toExemption(row, now) : undefined;
  }

  async decideExemption(
    id: string,
    decision: ExemptionDecision,
    now: Date,
  ): Promise<Exemption> {
    return this.knex.transaction(async tx => {
      const row = await tx<ExemptionRow>(EXEMPTIONS).where('id', id).first();
      if (!row) {
        throw new NotFoundError(`There is no exemption ${id}`);
      }
      if (row.status !== 'pending') {
        throw new ConflictError(`The exemption was already ${row.status}`);
      }
      const update = {
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: now,
        decision_comment: decision.comment ?? null,
      };
      await tx(EXEMPTIONS).where('id', id).update(update);
      await this.logEvent(
        'exemption',
        decision.status,
        row.entity_ref,
        id,
        decision.decidedBy,
        now,
        tx,
      );
      return toExemption({ ...row, ...update }, now);
    });
  }

  async listExemptions(
    entityRef: string,
    query: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<Exemption>> {
    const page = this.knex<ExemptionRow>(EXEMPTIONS).where(
      'entity_ref',
      entityRef,
    );
    if (query.cursor) {
      const { at, id } = decodeExemptionCursor(query.cursor);
      page.andWhere(inner =>
        inner
          .where('requested_at', '<', new Date(at))
          .orWhere(same =>
            same.where('requested_at', new Date(at)).andWhere('id', '<', id),
          ),
      );
    }
    const rows: ExemptionRow[] = await page
      .orderBy([
        { column: 'requested_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit + 1);
    const [{ count }] = await this.knex(EXEMPTIONS)
      .where('entity_ref', entityRef)
      .count({ count: '*' });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(row => toExemption(row, query.now)),
      totalCount: Number(count),
      nextCursor:
        rows.length > query.limit
          ? Buffer.from(
              JSON.stringify({
                at: toDate(last.requested_at).getTime(),
                id: last.id,
              }),
            ).toString('base64url')
          : undefined,
    };
  }

  async topRisks(limit: number): Promise<StoredFinding[]> {
    const rows: FindingRow[] = await this.knex<FindingRow>(FINDINGS)
      .where('status', 'open')
      .orderBy([
        { column: 'severity_rank', order: 'asc' },
        { column: 'first_seen_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(toFinding);
  }

  async findExposure(id: string, limit: number) {
    const needle = id.trim();
    const aliasLike = `%${JSON.stringify(needle)
      .toLowerCase()
      .replace(/[\\%_]/g, c => `\\${c}`)}%`;
    const rows: FindingRow[] = await this.knex<FindingRow>(FINDINGS)
      .where('status', 'open')
      .andWhere(inner =>
        inner
          .whereRaw('lower(rule_id) = ?', [needle.toLowerCase()])
          .orWhereRaw(`lower(aliases) like ? escape '\\'`, [aliasLike]),
      )
      .orderBy('severity_rank', 'asc')
      .limit(5000);
    const byEntity = new Map<
      string,
      {
        entityRef: string;
        findings: number;
        worst: Severity;
        packages: Set<string>;
      }
    >();
    for (const row of rows) {
      const entry = byEntity.get(row.entity_ref) ?? {
        entityRef: row.entity_ref,
        findings: 0,
        worst: row.severity as Severity,
        packages: new Set<string>(),
      };
      entry.findings += 1;
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
    overdueBefore: Partial<Record<Severity, Date>>,
  ): Promise<Map<string, EntityCounts>> {
    const result = new Map<string, EntityCounts>();
    const empty = (): EntityCounts => ({
      open: Object.fromEntries(SEVERITIES.map(s => [s, 0])) as Record<
        Severity,
        number
      >,
      byCategory: {},
      overdue: 0,
      fixed: 0,
    });
    const cutoffs = Object.entries(overdueBefore) as Array<[Severity, Date]>;
    const agedSql = cutoffs.length
      ? `sum(case ${cutoffs
          .map(() => 'when severity = ? and first_seen_at < ? then 1')
          .join(' ')} else 0 end)`
      : '0';
    const agedBindings = cutoffs.flatMap(([severity, before]) => [
      severity,
      before,
    ]);

    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{
        entity_ref: string;
        status: string;
        severity: string;
        n: number | string;
        aged: number | string | null;
      }> = await this.knex(FINDINGS)
        .whereIn('entity_ref', refs)
        .groupBy('entity_ref', 'status', 'severity')
        .select(
          'entity_ref',
          'status',
          'severity',
          this.knex.raw('count(*) as n'),
          this.knex.raw(`${agedSql} as aged`, agedBindings),
        );
      for (const row of rows) {
        const counts = result.get(row.entity_ref) ?? empty();
        result.set(row.entity_ref, counts);
        if (row.status === 'fixed') {
          counts.fixed += Number(row.n);
        } else {
          counts.open[row.severity as Severity] += Number(row.n);
          counts.overdue += Number(row.aged ?? 0);
        }
      }
      const scans: Array<{ entity_ref: string; at: Date | number | string }> =
        await this.knex(SCANS)
          .whereIn('entity_ref', refs)
          .groupBy('entity_ref')
          .select('entity_ref')
          .max({ at: 'created_at' });
      for (const scan of scans) {
        const counts = result.get(scan.entity_ref) ?? empty();
        result.set(scan.entity_ref, counts);
        counts.lastScanAt = toDate(scan.at);
      }
    });
    return result;
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
