import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ImportRun } from '@portal/plugin-finops-common';
import { CostRow, StoredDay } from '@portal/plugin-finops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-finops-backend',
  'migrations',
);

const LINES = 'finops_cost_lines';
const IMPORTS = 'finops_imports';
const SOURCE_DAYS = 'finops_source_days';
const BUDGETS = 'finops_budgets';
const ALERTS = 'finops_alerts';

/** A cost row with the entity ref its tag names, when it names one. */
export interface AttributedRow extends CostRow {
  entityRef?: string;
}

/** Which cost lines a query reads: some entities, or all. */
export type EntityScope = { entityRefs: string[] } | 'all';

export interface AmountByKey {
  key: string;
  amount: number;
}

export interface UnattributedRow {
  service: string;
  account: string;
  tagValue: string;
  entityRef: string | null;
  amount: number;
}

export interface Budget {
  groupRef: string;
  monthlyAmount: number;
  currency: string;
  updatedBy: string;
  updatedAt: Date;
}

export interface StoredAlert {
  id: string;
  kind: 'anomaly' | 'budget';
  ref: string;
  ownerRef: string;
  day: string;
  amount: number;
  expected: number;
  message: string;
  createdAt: Date;
}

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

const ROWS_PER_INSERT = 500;

/** A row of an aggregate query (knex cannot type sums and aliases). */
type Row = Record<string, any>;

/** The FinOps store on knex: SQLite and PostgreSQL. */
export class FinopsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<FinopsStore> {
    const knex = await options.database.getClient();
    if (!options.skipMigrations && !options.database.migrations?.skip) {
      await knex.migrate.latest({ directory: migrationsDir });
    }
    return new FinopsStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  /**
   * Replaces a source's lines for the days from `from` to `to` (inclusive)
   * in one transaction; with `trackDays` the days are recorded as fetched
   * (pulled sources), so that they are not asked for again.
   */
  async replaceDays(options: {
    source: string;
    from: string;
    to: string;
    rows: AttributedRow[];
    trackDays?: { fetchedAt: Date };
  }): Promise<number> {
    const { source, from, to, rows } = options;
    return this.knex.transaction(async tx => {
      await tx(LINES)
        .where('source', source)
        .andWhere('day', '>=', from)
        .andWhere('day', '<=', to)
        .delete();
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        await tx(LINES).insert(
          rows.slice(i, i + ROWS_PER_INSERT).map(row => ({
            source,
            day: row.day,
            tag_value: row.tagValue ?? '',
            entity_ref: row.entityRef ?? null,
            service: row.service,
            account: row.account ?? '',
            charge_category: row.chargeCategory ?? 'Usage',
            amount: row.amount,
            currency: row.currency,
            estimated: !!row.estimated,
          })),
        );
      }
      if (options.trackDays) {
        const estimatedDays = new Set(
          rows.filter(r => r.estimated).map(r => r.day),
        );
        const days = daysBetween(from, to);
        await tx(SOURCE_DAYS)
          .where('source', source)
          .andWhere('day', '>=', from)
          .andWhere('day', '<=', to)
          .delete();
        for (let i = 0; i < days.length; i += ROWS_PER_INSERT) {
          await tx(SOURCE_DAYS).insert(
            days.slice(i, i + ROWS_PER_INSERT).map(day => ({
              source,
              day,
              estimated: estimatedDays.has(day),
              fetched_at: options.trackDays!.fetchedAt,
            })),
          );
        }
      }
      return rows.length;
    });
  }

  async storedDays(source: string): Promise<StoredDay[]> {
    const rows: Row[] = await this.knex(SOURCE_DAYS)
      .where('source', source)
      .orderBy('day');
    return rows.map(r => ({
      day: r.day,
      estimated: !!r.estimated,
      fetchedAt: toDate(r.fetched_at),
    }));
  }

  async hasSource(source: string): Promise<boolean> {
    const row = await this.knex(LINES).where('source', source).first('id');
    return !!row;
  }

  async recordImport(run: Omit<ImportRun, 'id'> & { requestedBy?: string }) {
    const id = randomUUID();
    await this.knex(IMPORTS).insert({
      id,
      source: run.source,
      status: run.status,
      started_at: new Date(run.startedAt),
      finished_at: new Date(run.finishedAt),
      rows_read: run.rowsRead,
      rows_stored: run.rowsStored,
      day_from: run.from ?? null,
      day_to: run.to ?? null,
      api_calls: run.apiCalls ?? null,
      error: run.error ?? null,
      requested_by: run.requestedBy ?? null,
    });
    return { ...run, id };
  }

  async listImports(limit: number): Promise<ImportRun[]> {
    const rows: Row[] = await this.knex(IMPORTS)
      .orderBy('finished_at', 'desc')
      .limit(limit);
    return rows.map(r => ({
      id: r.id,
      source: r.source,
      status: r.status,
      startedAt: toDate(r.started_at).toISOString(),
      finishedAt: toDate(r.finished_at).toISOString(),
      rowsRead: Number(r.rows_read),
      rowsStored: Number(r.rows_stored),
      from: r.day_from ?? undefined,
      to: r.day_to ?? undefined,
      apiCalls: r.api_calls === null ? undefined : Number(r.api_calls),
      error: r.error ?? undefined,
    }));
  }

  private scoped(query: Knex.QueryBuilder, scope: EntityScope) {
    if (scope !== 'all') {
      query.whereIn('entity_ref', scope.entityRefs);
    }
    return query;
  }

  /** Amounts per day, summed over the scope. */
  async dailyTotals(
    scope: EntityScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    if (scope !== 'all' && scope.entityRefs.length === 0) return [];
    const rows: Row[] = await this.scoped(
      this.knex(LINES)
        .select('day as key')
        .sum({ amount: 'amount' })
        .whereBetween('day', [from, to])
        .groupBy('day')
        .orderBy('day'),
      scope,
    );
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /** Amounts per month (YYYY-MM), summed over the scope. */
  async monthlyTotals(
    scope: EntityScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    if (scope !== 'all' && scope.entityRefs.length === 0) return [];
    const month = this.knex.raw('substr(day, 1, 7)');
    const rows: Row[] = await this.scoped(
      this.knex(LINES)
        .select({ key: month })
        .sum({ amount: 'amount' })
        .whereBetween('day', [from, to])
        .groupBy(month)
        .orderBy('key'),
      scope,
    );
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /** Amounts per entity over the period. */
  async totalsByEntity(
    scope: EntityScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    if (scope !== 'all' && scope.entityRefs.length === 0) return [];
    const rows: Row[] = await this.scoped(
      this.knex(LINES)
        .select('entity_ref as key')
        .sum({ amount: 'amount' })
        .whereBetween('day', [from, to])
        .whereNotNull('entity_ref')
        .groupBy('entity_ref'),
      scope,
    );
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /** Amounts per entity and month, for the organisation roll-ups. */
  async monthlyByEntity(
    from: string,
    to: string,
  ): Promise<
    Array<{ entityRef: string | null; month: string; amount: number }>
  > {
    const month = this.knex.raw('substr(day, 1, 7)');
    const rows: Row[] = await this.knex(LINES)
      .select({ entityRef: 'entity_ref', month })
      .sum({ amount: 'amount' })
      .whereBetween('day', [from, to])
      .groupBy('entity_ref', month);
    return rows.map(r => ({
      entityRef: r.entityRef,
      month: r.month,
      amount: Number(r.amount),
    }));
  }

  /** Amounts per entity and day, for anomaly detection. */
  async dailyByEntity(
    from: string,
    to: string,
  ): Promise<Array<{ entityRef: string; day: string; amount: number }>> {
    const rows: Row[] = await this.knex(LINES)
      .select({ entityRef: 'entity_ref', day: 'day' })
      .sum({ amount: 'amount' })
      .whereBetween('day', [from, to])
      .whereNotNull('entity_ref')
      .groupBy('entity_ref', 'day');
    return rows.map(r => ({
      entityRef: r.entityRef,
      day: r.day,
      amount: Number(r.amount),
    }));
  }

  /** Amounts per cloud service over the period. */
  async totalsByService(
    scope: EntityScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    if (scope !== 'all' && scope.entityRefs.length === 0) return [];
    const rows: Row[] = await this.scoped(
      this.knex(LINES)
        .select('service as key')
        .sum({ amount: 'amount' })
        .whereBetween('day', [from, to])
        .groupBy('service'),
      scope,
    );
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /** The first day in the scope that is still estimated. */
  async firstEstimatedDay(scope: EntityScope): Promise<string | undefined> {
    if (scope !== 'all' && scope.entityRefs.length === 0) return undefined;
    const row = await this.scoped(
      this.knex(LINES).min({ day: 'day' }).where('estimated', true),
      scope,
    ).first();
    return row?.day ?? undefined;
  }

  /** The newest day with any cost. */
  async lastDay(): Promise<string | undefined> {
    const row = await this.knex(LINES).max({ day: 'day' }).first();
    return row?.day ?? undefined;
  }

  /**
   * Spend not on a known entity, grouped by service, account and tag value:
   * lines without an entity ref, or whose entity is not in `knownRefs`.
   */
  async unattributed(
    knownRefs: string[],
    from: string,
    to: string,
  ): Promise<UnattributedRow[]> {
    const rows: Row[] = await this.knex(LINES)
      .select({
        service: 'service',
        account: 'account',
        tagValue: 'tag_value',
        entityRef: 'entity_ref',
      })
      .sum({ amount: 'amount' })
      .whereBetween('day', [from, to])
      .where(q =>
        q
          .whereNull('entity_ref')
          .orWhereNotIn(
            'entity_ref',
            knownRefs.length ? knownRefs : ['\u0000'],
          ),
      )
      .groupBy('service', 'account', 'tag_value', 'entity_ref');
    return rows.map(r => ({
      service: r.service,
      account: r.account,
      tagValue: r.tagValue,
      entityRef: r.entityRef,
      amount: Number(r.amount),
    }));
  }

  async getBudgets(groupRefs?: string[]): Promise<Budget[]> {
    const query = this.knex(BUDGETS);
    if (groupRefs) query.whereIn('group_ref', groupRefs);
    const rows = await query;
    return rows.map(r => ({
      groupRef: r.group_ref,
      monthlyAmount: Number(r.monthly_amount),
      currency: r.currency,
      updatedBy: r.updated_by,
      updatedAt: toDate(r.updated_at),
    }));
  }

  async setBudget(budget: Budget): Promise<void> {
    await this.knex(BUDGETS)
      .insert({
        group_ref: budget.groupRef,
        monthly_amount: budget.monthlyAmount,
        currency: budget.currency,
        updated_by: budget.updatedBy,
        updated_at: budget.updatedAt,
      })
      .onConflict('group_ref')
      .merge();
  }

  async deleteBudget(groupRef: string): Promise<boolean> {
    return (await this.knex(BUDGETS).where('group_ref', groupRef).delete()) > 0;
  }

  /** Stores alerts not stored before; returns the new ones. */
  async addAlerts(
    alerts: Array<Omit<StoredAlert, 'id'>>,
  ): Promise<StoredAlert[]> {
    const added: StoredAlert[] = [];
    for (const alert of alerts) {
      const exists = await this.knex(ALERTS)
        .where({ kind: alert.kind, ref: alert.ref, day: alert.day })
        .first('id');
      if (exists) continue;
      const stored = { ...alert, id: randomUUID() };
      await this.knex(ALERTS).insert({
        id: stored.id,
        kind: stored.kind,
        ref: stored.ref,
        owner_ref: stored.ownerRef,
        day: stored.day,
        amount: stored.amount,
        expected: stored.expected,
        message: stored.message,
        created_at: stored.createdAt,
      });
      added.push(stored);
    }
    return added;
  }

  async listAlerts(refs: string[], since: string): Promise<StoredAlert[]> {
    if (refs.length === 0) return [];
    const rows: Row[] = await this.knex(ALERTS)
      .whereIn('ref', refs)
      .andWhere('day', '>=', since)
      .orderBy('day', 'desc')
      .limit(50);
    return rows.map(r => ({
      id: r.id,
      kind: r.kind,
      ref: r.ref,
      ownerRef: r.owner_ref,
      day: r.day,
      amount: Number(r.amount),
      expected: Number(r.expected),
      message: r.message,
      createdAt: toDate(r.created_at),
    }));
  }
}

/** Every day from `from` to `to`, inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (
    let t = Date.parse(`${from}T00:00:00Z`);
    t <= end && days.length < 5000;
    t += 86_400_000
  ) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The day `n` days after (or before, when negative) a day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000)
    .toISOString()
    .slice(0, 10);
}
