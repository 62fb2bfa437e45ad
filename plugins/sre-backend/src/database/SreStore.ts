import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  BurnRateWindow,
  DeliveryMetrics,
  Page,
  ReliabilityAlert,
  Slo,
  SloDefinition,
  SloBrief,
  SloHistoryPoint,
  SloStatus,
  STATUS_ORDER,
} from '@portal/plugin-sre-common';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-sre-backend',
  'migrations',
);

const SLOS = 'sre_slos';
const STATE = 'sre_slo_state';
const HISTORY = 'sre_slo_history';
const ALERTS = 'sre_alerts';
const DELIVERY = 'sre_delivery';

/** An SLO with its latest evaluation (SLOS as s, left join STATE as st). */
const SLO_COLUMNS = [
  's.*',
  'st.sli',
  'st.budget_remaining',
  'st.burn_rates',
  'st.status',
  'st.evaluated_at',
  'st.last_error',
  'st.last_error_at',
];

/** An alert to record: what the portal keeps, by Alertmanager's fingerprint. */
export type AlertInput = Omit<ReliabilityAlert, 'id' | 'receivedAt'> & {
  fingerprint: string;
};

const sha = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex');

export const sloIdOf = (entityRef: string, name: string) =>
  sha(entityRef, name);

const numberOrNull = (v: unknown) =>
  v === null || v === undefined ? null : Number(v);

/** IN lists are chunked: SQLite allows a limited number of parameters. */
const CHUNK = 500;
function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Cursors are offsets, opaque to clients. */
const encodeCursor = (offset: number) =>
  Buffer.from(String(offset)).toString('base64url');
export function decodeCursor(cursor?: string): number {
  if (!cursor) return 0;
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/** A page from an offset: the items and the cursor of the next page. */
function pageOf<T>(items: T[], offset: number, total: number): Page<T> {
  const next = offset + items.length;
  return {
    items,
    totalCount: total,
    nextCursor: next < total ? encodeCursor(next) : undefined,
  };
}

/** What one evaluation found. */
export interface SloEvaluation {
  sli: number | null;
  errorBudgetRemaining: number | null;
  burnRates: Partial<Record<BurnRateWindow, number | null>>;
  status: SloStatus;
}

/** The SRE plugin's tables. */
export class SreStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<SreStore> {
    const db = await options.database.getClient();
    if (!options.database.migrations?.skip && !options.skipMigrations) {
      await db.migrate.latest({ directory: migrationsDir });
    }
    return new SreStore(db);
  }

  /**
   * Makes the stored SLOs of these entities exactly these definitions: new
   * ones are added, changed ones updated (their history stays), ones no
   * longer declared removed with their history. One transaction.
   */
  async replaceDefinitions(
    entityRefs: string[],
    definitions: SloDefinition[],
  ): Promise<{ added: number; removed: number }> {
    const now = new Date().toISOString();
    return this.db.transaction(async tx => {
      const wanted = new Map(
        definitions.map(d => [sloIdOf(d.entityRef, d.name), d]),
      );
      const existing: string[] = [];
      for (const part of chunks(entityRefs)) {
        existing.push(
          ...(await tx(SLOS).whereIn('entity_ref', part).pluck('id')),
        );
      }
      const gone = existing.filter(id => !wanted.has(id));
      for (const part of chunks(gone)) {
        await tx(HISTORY).whereIn('slo_id', part).delete();
        await tx(STATE).whereIn('slo_id', part).delete();
        await tx(SLOS).whereIn('id', part).delete();
      }
      const rows = [...wanted].map(([id, d]) => ({
        id,
        entity_ref: d.entityRef,
        name: d.name,
        display_name: d.displayName,
        description: d.description ?? null,
        target: d.target,
        time_window: d.window,
        source_type: d.sourceType,
        good_query: d.goodQuery,
        total_query: d.totalQuery,
        updated_at: now,
      }));
      for (const part of chunks(rows)) {
        await tx(SLOS).insert(part).onConflict('id').merge();
      }
      const known = new Set(existing);
      return {
        added: rows.filter(r => !known.has(r.id)).length,
        removed: gone.length,
      };
    });
  }

  /** Every stored SLO definition, for the evaluator. */
  async definitions(): Promise<Array<SloDefinition & { id: string }>> {
    const rows = await this.db(SLOS).select().orderBy('id');
    return rows.map(r => ({ id: r.id, ...definitionOf(r) }));
  }

  async saveEvaluation(sloId: string, at: Date, e: SloEvaluation) {
    const iso = at.toISOString();
    await this.db.transaction(async tx => {
      await tx(STATE)
        .insert({
          slo_id: sloId,
          sli: e.sli,
          budget_remaining: e.errorBudgetRemaining,
          burn_rates: JSON.stringify(e.burnRates),
          status: e.status,
          status_rank: STATUS_ORDER.indexOf(e.status),
          evaluated_at: iso,
          last_error: null,
          last_error_at: null,
        })
        .onConflict('slo_id')
        .merge();
      await tx(HISTORY)
        .insert({
          slo_id: sloId,
          at: iso,
          sli: e.sli,
          budget_remaining: e.errorBudgetRemaining,
          burn_1h: e.burnRates['1h'] ?? null,
          burn_6h: e.burnRates['6h'] ?? null,
          status: e.status,
        })
        .onConflict(['slo_id', 'at'])
        .ignore();
    });
  }

  /** An evaluation failed: the last values stay, the error is kept beside them. */
  async saveError(sloId: string, at: Date, message: string) {
    const iso = at.toISOString();
    const updated = await this.db(STATE)
      .where({ slo_id: sloId })
      .update({ last_error: message.slice(0, 2000), last_error_at: iso });
    if (!updated) {
      await this.db(STATE)
        .insert({
          slo_id: sloId,
          sli: null,
          budget_remaining: null,
          burn_rates: '{}',
          status: 'unknown',
          status_rank: STATUS_ORDER.indexOf('unknown'),
          evaluated_at: null,
          last_error: message.slice(0, 2000),
          last_error_at: iso,
        })
        .onConflict('slo_id')
        .merge(['last_error', 'last_error_at']);
    }
  }

  /**
   * SLOs of some entities with their latest values, worst first (status,
   * then least budget left), a page at a time.
   */
  async listSlos(
    entityRefs: string[],
    options: { cursor?: string; limit?: number } = {},
  ): Promise<Page<Slo>> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const offset = decodeCursor(options.cursor);
    if (!entityRefs.length) return { items: [], totalCount: 0 };
    const base = () => {
      const q = this.db(`${SLOS} as s`).leftJoin(
        `${STATE} as st`,
        'st.slo_id',
        's.id',
      );
      // Large subtrees go through a temporary list of refs in chunks.
      q.where(builder => {
        for (const part of chunks(entityRefs))
          builder.orWhereIn('s.entity_ref', part);
      });
      return q;
    };
    const [{ count }] = await base().count({ count: '*' });
    const unknownRank = STATUS_ORDER.indexOf('unknown');
    const rows = await base()
      .select(SLO_COLUMNS)
      .orderByRaw(`coalesce(st.status_rank, ${unknownRank}) asc`)
      .orderByRaw('coalesce(st.budget_remaining, 1e9) asc')
      .orderBy('s.entity_ref')
      .orderBy('s.name')
      .offset(offset)
      .limit(limit);
    return pageOf(rows.map(sloOf), offset, Number(count));
  }

  /**
   * The SLOs of many entities at once, briefly (name, status, budget left),
   * each entity's worst first: what a scorecard needs of thousands of
   * entities, without paging each. Entities without SLOs are not in the map.
   */
  async briefsByEntity(entityRefs: string[]): Promise<Map<string, SloBrief[]>> {
    const out = new Map<string, SloBrief[]>();
    const unknownRank = STATUS_ORDER.indexOf('unknown');
    for (const part of chunks([...new Set(entityRefs)])) {
      const rows = await this.db(`${SLOS} as s`)
        .leftJoin(`${STATE} as st`, 'st.slo_id', 's.id')
        .whereIn('s.entity_ref', part)
        .select(
          's.id',
          's.entity_ref',
          's.name',
          'st.status',
          'st.budget_remaining',
          'st.evaluated_at',
        )
        .orderBy('s.entity_ref')
        .orderByRaw(`coalesce(st.status_rank, ${unknownRank}) asc`)
        .orderBy('s.name');
      for (const row of rows) {
        const list = out.get(row.entity_ref) ?? [];
        list.push({
          id: row.id,
          name: row.name,
          status: (row.status ?? 'unknown') as SloStatus,
          errorBudgetRemaining: numberOrNull(row.budget_remaining),
          evaluatedAt: row.evaluated_at ?? undefined,
        });
        out.set(row.entity_ref, list);
      }
    }
    return out;
  }

  async getSlo(sloId: string): Promise<Slo | undefined> {
    const row = await this.db(`${SLOS} as s`)
      .leftJoin(`${STATE} as st`, 'st.slo_id', 's.id')
      .select(SLO_COLUMNS)
      .where('s.id', sloId)
      .first();
    return row ? sloOf(row) : undefined;
  }

  /** An SLO's evaluations since a time, oldest first (at most `limit`). */
  async history(
    sloId: string,
    since: Date,
    limit = 2000,
  ): Promise<SloHistoryPoint[]> {
    const rows = await this.db(HISTORY)
      .where('slo_id', sloId)
      .andWhere('at', '>=', since.toISOString())
      .orderBy('at', 'desc')
      .limit(limit);
    return rows.reverse().map(r => ({
      at: r.at,
      sli: r.sli,
      errorBudgetRemaining: r.budget_remaining,
      burnRate1h: r.burn_1h,
      burnRate6h: r.burn_6h,
      status: r.status,
    }));
  }

  /** The SLOs that have any history. */
  async sloIdsWithHistory(): Promise<Set<string>> {
    return new Set(await this.db(HISTORY).distinct('slo_id').pluck('slo_id'));
  }

  /** Past evaluations (a new SLO's recent history); existing ones stay. */
  async saveHistory(
    sloId: string,
    points: Array<{ at: Date } & SloEvaluation>,
  ): Promise<void> {
    const rows = points.map(p => ({
      slo_id: sloId,
      at: p.at.toISOString(),
      sli: p.sli,
      budget_remaining: p.errorBudgetRemaining,
      burn_1h: p.burnRates['1h'] ?? null,
      burn_6h: p.burnRates['6h'] ?? null,
      status: p.status,
    }));
    for (const part of chunks(rows)) {
      await this.db(HISTORY).insert(part).onConflict(['slo_id', 'at']).ignore();
    }
  }

  /** The latest DORA measures of an entity. */
  async saveDelivery(m: DeliveryMetrics): Promise<void> {
    const row = {
      entity_ref: m.entityRef,
      signal: m.signal,
      period_days: m.periodDays,
      deployments: m.deployments,
      deployments_per_day: m.deploymentsPerDay,
      lead_time_hours: m.leadTimeHours,
      change_failure_rate: m.changeFailureRate,
      time_to_restore_hours: m.timeToRestoreHours,
      incidents: m.incidents,
      computed_at: m.computedAt,
      last_error: null,
    };
    await this.db(DELIVERY).insert(row).onConflict('entity_ref').merge();
  }

  /** A failed computation keeps the last measures and records why. */
  async saveDeliveryError(entityRef: string, message: string): Promise<void> {
    const updated = await this.db(DELIVERY)
      .where({ entity_ref: entityRef })
      .update({ last_error: message.slice(0, 2000) });
    if (!updated) {
      await this.db(DELIVERY).insert({
        entity_ref: entityRef,
        signal: 'deployments',
        period_days: 0,
        deployments: 0,
        deployments_per_day: 0,
        incidents: 0,
        computed_at: null,
        last_error: message.slice(0, 2000),
      });
    }
  }

  async delivery(entityRefs: string[]): Promise<DeliveryMetrics[]> {
    const rows: any[] = [];
    for (const part of chunks(entityRefs)) {
      rows.push(
        ...(await this.db(DELIVERY)
          .whereIn('entity_ref', part)
          .orderBy('entity_ref')),
      );
    }
    const num = (v: unknown) =>
      v === null || v === undefined ? null : Number(v);
    return rows.map(r => ({
      entityRef: r.entity_ref,
      signal: r.signal,
      periodDays: Number(r.period_days),
      deployments: Number(r.deployments),
      deploymentsPerDay: Number(r.deployments_per_day),
      leadTimeHours: num(r.lead_time_hours),
      changeFailureRate: num(r.change_failure_rate),
      timeToRestoreHours: num(r.time_to_restore_hours),
      incidents: Number(r.incidents),
      computedAt: r.computed_at ?? '',
      lastError: r.last_error ?? undefined,
    }));
  }

  /** Drops history older than a time. */
  async pruneHistory(before: Date): Promise<number> {
    return this.db(HISTORY).where('at', '<', before.toISOString()).delete();
  }

  /**
   * Records alerts; the same alert (fingerprint and start) sent again only
   * updates its status and end. Returns how many were new.
   */
  async upsertAlerts(alerts: AlertInput[], receivedAt: Date): Promise<number> {
    const iso = receivedAt.toISOString();
    return this.db.transaction(async tx => {
      let created = 0;
      for (const a of alerts) {
        const id = sha(a.fingerprint, a.startsAt);
        const row = {
          entity_ref: a.entityRef,
          alert_name: a.alertName,
          status: a.status,
          severity: a.severity ?? null,
          summary: a.summary ?? null,
          starts_at: a.startsAt,
          ends_at: a.endsAt ?? null,
          generator_url: a.generatorUrl ?? null,
          received_at: iso,
        };
        const updated = await tx(ALERTS).where({ id }).update(row);
        if (!updated) {
          await tx(ALERTS).insert({ id, ...row });
          created += 1;
        }
      }
      return created;
    });
  }

  /** Alerts of some entities, newest first, a page at a time. */
  async listAlerts(
    entityRefs: string[],
    options: {
      cursor?: string;
      limit?: number;
      status?: 'firing' | 'resolved';
    } = {},
  ): Promise<Page<ReliabilityAlert>> {
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 200);
    const offset = decodeCursor(options.cursor);
    if (!entityRefs.length) return { items: [], totalCount: 0 };
    const base = () => {
      const q = this.db(ALERTS).where(builder => {
        for (const part of chunks(entityRefs))
          builder.orWhereIn('entity_ref', part);
      });
      if (options.status) q.andWhere('status', options.status);
      return q;
    };
    const [{ count }] = await base().count({ count: '*' });
    const rows = await base()
      .select()
      .orderBy('starts_at', 'desc')
      .orderBy('id')
      .offset(offset)
      .limit(limit);
    return pageOf(rows.map(alertOf), offset, Number(count));
  }
}

function definitionOf(r: any): SloDefinition {
  return {
    entityRef: r.entity_ref,
    name: r.name,
    displayName: r.display_name,
    description: r.description ?? undefined,
    target: Number(r.target),
    window: r.time_window,
    sourceType: r.source_type,
    goodQuery: r.good_query,
    totalQuery: r.total_query,
  };
}

function sloOf(r: any): Slo {
  const num = numberOrNull;
  return {
    id: r.id,
    ...definitionOf(r),
    sli: num(r.sli),
    errorBudgetRemaining: num(r.budget_remaining),
    burnRates: r.burn_rates ? JSON.parse(r.burn_rates) : {},
    status: (r.status as SloStatus) ?? 'unknown',
    evaluatedAt: r.evaluated_at ?? undefined,
    lastError: r.last_error ?? undefined,
    lastErrorAt: r.last_error_at ?? undefined,
  };
}

function alertOf(r: any): ReliabilityAlert {
  return {
    id: r.id,
    entityRef: r.entity_ref,
    alertName: r.alert_name,
    status: r.status,
    severity: r.severity ?? undefined,
    summary: r.summary ?? undefined,
    startsAt: r.starts_at,
    endsAt: r.ends_at ?? undefined,
    generatorUrl: r.generator_url ?? undefined,
    receivedAt: r.received_at,
  };
}
