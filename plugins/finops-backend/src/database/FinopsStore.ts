import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ImportRun, Recommendation } from '@portal/plugin-finops-common';
import {
  CostRow,
  PurchaseRecommendation,
  StoredDay,
} from '@portal/plugin-finops-node';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-finops-backend',
  'migrations',
);

export const LINES = 'finops_cost_lines';
const IMPORTS = 'finops_imports';
const SOURCE_DAYS = 'finops_source_days';
const BUDGETS = 'finops_budgets';
const ALERTS = 'finops_alerts';
const ENTITY_DAILY = 'finops_entity_daily';
const ENTITY_MONTHLY = 'finops_entity_monthly';
const ENTITY_WEEKLY = 'finops_entity_weekly';
const OWNER_DAILY = 'finops_owner_daily';
const OWNER_MONTHLY = 'finops_owner_monthly';
const OWNERS = 'finops_entity_owners';
const RECOMMENDATIONS = 'finops_recommendations';
const GROUP_OWNERS = 'finops_group_owners';
const GROUP_DAILY = 'finops_group_daily';
const GROUP_MONTHLY = 'finops_group_monthly';

/** A cost row with the entity ref its tag names, when it names one. */
export interface AttributedRow extends CostRow {
  entityRef?: string;
}

/**
 * Which cost a query reads: some entities' (an entity tab: the entity and
 * its parts), some owners' (a group tab: the owners of the subtree the
 * caller may see), read from the owner roll-ups, or a whole group's
 * subtree (a group tab whose caller may see all of it), read from the
 * group roll-ups.
 */
export type CostScope =
  | { entityRefs: string[] }
  | { ownerRefs: string[] }
  | { groupRef: string };

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

/**
 * Entities up to which a per-entity query looks each up by the entity
 * index; above it, reading the period's rows by day and keeping those
 * asked for is cheaper (the whole organisation, a large department).
 */
const ENTITIES_BY_INDEX = 500;

/** Rows per insert of the small tables. */
const ROWS_PER_INSERT = 500;

/** A column of a bulk insert, with its PostgreSQL array type. */
export type BulkColumn = [name: string, pgType: 'text' | 'float8' | 'boolean'];

/**
 * Inserts many rows. PostgreSQL gets one statement per 50,000 rows that
 * unnests a parameter array per column (far fewer parameters to bind than
 * VALUES); SQLite gets multi-row VALUES statements as large as its 32,766
 * bind parameters allow (knex's own multi-row insert on SQLite is a compound
 * select of at most 500 rows).
 */
export async function insertMany(
  tx: Knex.Transaction | Knex,
  table: string,
  columns: BulkColumn[],
  rows: Knex.Value[][],
) {
  const names = columns.map(([name]) => name);
  if (tx.client.config.client === 'pg') {
    const sql = `insert into ?? (${names
      .map(() => '??')
      .join(', ')}) select * from unnest(${columns
      .map(([, type]) => `?::${type}[]`)
      .join(', ')})`;
    for (let i = 0; i < rows.length; i += 50_000) {
      const chunk = rows.slice(i, i + 50_000);
      await tx.raw(sql, [
        table,
        ...names,
        ...columns.map((_, c) => chunk.map(row => row[c])),
      ] as Knex.RawBinding[]);
    }
    return;
  }
  const perStatement = Math.floor(32_766 / columns.length);
  const tuple = `(${names.map(() => '?').join(', ')})`;
  const head = `insert into ?? (${names.map(() => '??').join(', ')}) values `;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    await tx.raw(head + chunk.map(() => tuple).join(', '), [
      table,
      ...names,
      ...chunk.flat(),
    ]);
  }
}

/** The columns of a cost line, in the order lineValues gives them. */
export const LINE_COLUMNS: BulkColumn[] = [
  ['source', 'text'],
  ['day', 'text'],
  ['tag_value', 'text'],
  ['entity_ref', 'text'],
  ['service', 'text'],
  ['account', 'text'],
  ['charge_category', 'text'],
  ['amount', 'float8'],
  ['currency', 'text'],
  ['estimated', 'boolean'],
];

/**
 * Cost lines per insert statement of an import: one statement on both
 * databases (SQLite allows 32,766 bind parameters: 3,276 rows of 10).
 */
export const BATCH_ROWS = 3000;

/** A cost row as the values of LINE_COLUMNS. */
function lineValues(source: string, row: AttributedRow): Knex.Value[] {
  return [
    source,
    row.day,
    row.tagValue ?? '',
    row.entityRef ?? null,
    row.service,
    row.account ?? '',
    row.chargeCategory ?? 'Usage',
    row.amount,
    row.currency,
    !!row.estimated,
  ];
}

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
      await insertMany(
        tx,
        LINES,
        LINE_COLUMNS,
        rows.map(row => lineValues(source, row)),
      );
      await this.refreshRollups(tx, from, to);
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

  /**
   * Replaces a source's lines with those `produce` writes, batch by batch,
   * in one transaction: a day's old lines are deleted when the first batch
   * with that day arrives, and at the end the days between the first and
   * the last written that no batch had (as replaceDays clears the whole
   * range), then the roll-ups of the range are recomputed. If `produce`
   * throws, nothing is changed. Each batch costs one delete (when it brings
   * new days) and one insert statement per BATCH_ROWS rows, so the round
   * trips grow with rows / batch size, and memory with the batch alone.
   */
  async importLines<T>(options: {
    source: string;
    produce: (write: (rows: AttributedRow[]) => Promise<void>) => Promise<T>;
  }): Promise<{ value: T; rowsStored: number; from?: string; to?: string }> {
    const { source } = options;
    return this.knex.transaction(async tx => {
      const seen = new Set<string>();
      let rowsStored = 0;
      let from: string | undefined;
      let to: string | undefined;
      const write = async (rows: AttributedRow[]) => {
        const newDays = new Set<string>();
        for (const row of rows) {
          if (!seen.has(row.day)) newDays.add(row.day);
        }
        if (newDays.size > 0) {
          await tx(LINES)
            .where('source', source)
            .whereIn('day', [...newDays])
            .delete();
          for (const day of newDays) {
            seen.add(day);
            if (!from || day < from) from = day;
            if (!to || day > to) to = day;
          }
        }
        for (let i = 0; i < rows.length; i += BATCH_ROWS) {
          await insertMany(
            tx,
            LINES,
            LINE_COLUMNS,
            rows.slice(i, i + BATCH_ROWS).map(row => lineValues(source, row)),
          );
        }
        rowsStored += rows.length;
      };
      const value = await options.produce(write);
      if (from && to) {
        const gaps = daysBetween(from, to).filter(day => !seen.has(day));
        for (let i = 0; i < gaps.length; i += ROWS_PER_INSERT) {
          await tx(LINES)
            .where('source', source)
            .whereIn('day', gaps.slice(i, i + ROWS_PER_INSERT))
            .delete();
        }
        await this.refreshRollups(tx, from, to);
      }
      return { value, rowsStored, from, to };
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

  /**
   * Recomputes the roll-ups of the days from `from` to `to` (and of the
   * months they fall in) from the cost lines, in the caller's transaction.
   */
  private async refreshRollups(tx: Knex.Transaction, from: string, to: string) {
    const monthFrom = `${from.slice(0, 7)}-01`;
    const monthTo = `${to.slice(0, 7)}-31`;
    const months = monthsOf(from, to);
    if (months.length === 0) return;
    await tx(ENTITY_DAILY)
      .where('day', '>=', from)
      .andWhere('day', '<=', to)
      .delete();
    // Each select lists the columns in the order of its table.
    await tx(ENTITY_DAILY).insert(
      tx(LINES)
        .select({
          entity_ref: tx.raw("coalesce(entity_ref, '')"),
          day: 'day',
          amount: tx.raw('sum(amount)'),
          estimated: tx.raw('max(case when estimated then 1 else 0 end)'),
        })
        .where('day', '>=', from)
        .andWhere('day', '<=', to)
        .groupByRaw("coalesce(entity_ref, ''), day"),
    );
    const weekFrom = mondayOf(from);
    const weekTo = mondayOf(to);
    await tx(ENTITY_WEEKLY)
      .where('week', '>=', weekFrom)
      .andWhere('week', '<=', weekTo)
      .delete();
    await tx(ENTITY_WEEKLY).insert(
      tx(ENTITY_DAILY)
        .select({
          entity_ref: 'entity_ref',
          week: tx.raw(mondaySql(tx)),
          amount: tx.raw('sum(amount)'),
        })
        .where('day', '>=', weekFrom)
        .andWhere('day', '<=', addDays(weekTo, 6))
        .groupByRaw(`entity_ref, ${mondaySql(tx)}`),
    );
    await tx(ENTITY_MONTHLY).whereIn('month', months).delete();
    await tx(ENTITY_MONTHLY).insert(
      tx(ENTITY_DAILY)
        .select({
          entity_ref: 'entity_ref',
          month: tx.raw('substr(day, 1, 7)'),
          amount: tx.raw('sum(amount)'),
        })
        .where('day', '>=', monthFrom)
        .andWhere('day', '<=', monthTo)
        .groupByRaw('entity_ref, substr(day, 1, 7)'),
    );
    await this.refreshOwnerRollups(tx, from, to);
  }

  /** The owner roll-ups of a range of days, from the lines and the owners. */
  private async refreshOwnerRollups(
    tx: Knex.Transaction,
    from: string,
    to: string,
  ) {
    const owner = tx.raw("coalesce(o.owner_ref, '')");
    await tx(OWNER_DAILY)
      .where('day', '>=', from)
      .andWhere('day', '<=', to)
      .delete();
    await tx(OWNER_DAILY).insert(
      tx({ l: LINES })
        .leftJoin({ o: OWNERS }, 'o.entity_ref', 'l.entity_ref')
        .select({
          owner_ref: owner,
          day: 'l.day',
          service: 'l.service',
          amount: tx.raw('sum(l.amount)'),
        })
        .where('l.day', '>=', from)
        .andWhere('l.day', '<=', to)
        .groupByRaw("coalesce(o.owner_ref, ''), l.day, l.service"),
    );
    const months = monthsOf(from, to);
    await tx(OWNER_MONTHLY).whereIn('month', months).delete();
    await tx(OWNER_MONTHLY).insert(
      tx(OWNER_DAILY)
        .select({
          owner_ref: 'owner_ref',
          month: tx.raw('substr(day, 1, 7)'),
          service: 'service',
          amount: tx.raw('sum(amount)'),
        })
        .where('day', '>=', `${from.slice(0, 7)}-01`)
        .andWhere('day', '<=', `${to.slice(0, 7)}-31`)
        .groupByRaw('owner_ref, substr(day, 1, 7), service'),
    );
    await this.refreshGroupRollups(tx, from, to);
  }

  /**
   * The group roll-ups of a range of days (and of the months they fall
   * in): the owner roll-ups summed over each group's subtree.
   */
  private async refreshGroupRollups(
    tx: Knex.Transaction,
    from: string,
    to: string,
  ) {
    await tx(GROUP_DAILY)
      .where('day', '>=', from)
      .andWhere('day', '<=', to)
      .delete();
    await tx(GROUP_DAILY).insert(
      tx({ d: OWNER_DAILY })
        .join({ g: GROUP_OWNERS }, 'g.owner_ref', 'd.owner_ref')
        .select({
          group_ref: 'g.group_ref',
          day: 'd.day',
          service: 'd.service',
          amount: tx.raw('sum(d.amount)'),
        })
        .where('d.day', '>=', from)
        .andWhere('d.day', '<=', to)
        .groupBy('g.group_ref', 'd.day', 'd.service'),
    );
    await tx(GROUP_MONTHLY).whereIn('month', monthsOf(from, to)).delete();
    await tx(GROUP_MONTHLY).insert(
      tx({ m: OWNER_MONTHLY })
        .join({ g: GROUP_OWNERS }, 'g.owner_ref', 'm.owner_ref')
        .select({
          group_ref: 'g.group_ref',
          month: 'm.month',
          service: 'm.service',
          amount: tx.raw('sum(m.amount)'),
        })
        .whereIn('m.month', monthsOf(from, to))
        .groupBy('g.group_ref', 'm.month', 'm.service'),
    );
  }

  /**
   * Records who owns each entity and, when given, each group's subtree
   * (the group and every group below it), and rebuilds the roll-ups that
   * depend on what changed since the last time: the owner and group
   * roll-ups when ownership changed, the group roll-ups alone when only the
   * tree did. Returns whether anything changed.
   */
  async syncOwners(
    owners: Map<string, string>,
    groups?: Map<string, string[]>,
  ): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const stored: Row[] = await tx(OWNERS).select('entity_ref', 'owner_ref');
      const sameOwners =
        stored.length === owners.size &&
        stored.every(r => owners.get(r.entity_ref) === r.owner_ref);
      let sameGroups = true;
      if (groups) {
        const storedGroups: Row[] = await tx(GROUP_OWNERS).select(
          'group_ref',
          'owner_ref',
        );
        const pairs = new Set(
          [...groups].flatMap(([group, subtree]) =>
            subtree.map(owner => `${group}\u0000${owner}`),
          ),
        );
        sameGroups =
          storedGroups.length === pairs.size &&
          storedGroups.every(r =>
            pairs.has(`${r.group_ref}\u0000${r.owner_ref}`),
          );
        if (!sameGroups) {
          await tx(GROUP_OWNERS).delete();
          const rows = [...pairs].map(pair => {
            const [group_ref, owner_ref] = pair.split('\u0000');
            return { group_ref, owner_ref };
          });
          for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
            await tx(GROUP_OWNERS).insert(rows.slice(i, i + ROWS_PER_INSERT));
          }
        }
      }
      if (sameOwners && sameGroups) return false;
      if (!sameOwners) {
        await tx(OWNERS).delete();
        const rows = [...owners].map(([entity_ref, owner_ref]) => ({
          entity_ref,
          owner_ref,
        }));
        for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
          await tx(OWNERS).insert(rows.slice(i, i + ROWS_PER_INSERT));
        }
      }
      const range: Row | undefined = await tx(LINES)
        .min({ from: 'day' })
        .max({ to: 'day' })
        .first();
      if (range?.from) {
        if (sameOwners) {
          await this.refreshGroupRollups(tx, range.from, range.to);
        } else {
          await this.refreshOwnerRollups(tx, range.from, range.to);
        }
      }
      return true;
    });
  }

  /**
   * Sums amounts by one column over a range of days or months, reading the
   * owner roll-up for owner scopes and the entity table for entity scopes.
   */
  private async sumBy(
    scope: CostScope,
    tables: { owners: string; groups: string; entities: string },
    by: string,
    range: { column: string; from: string; to: string },
  ): Promise<AmountByKey[]> {
    let query: Knex.QueryBuilder;
    if ('groupRef' in scope) {
      query = this.knex(tables.groups).where('group_ref', scope.groupRef);
    } else {
      const byOwner = 'ownerRefs' in scope;
      const refs = byOwner ? scope.ownerRefs : scope.entityRefs;
      if (refs.length === 0) return [];
      query = this.knex(byOwner ? tables.owners : tables.entities).whereIn(
        byOwner ? 'owner_ref' : 'entity_ref',
        refs,
      );
    }
    const rows: Row[] = await query
      .select({ key: by })
      .sum({ amount: 'amount' })
      .where(range.column, '>=', range.from)
      .andWhere(range.column, '<=', range.to)
      .groupBy(by)
      .orderBy(by);
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /** Amounts per day, summed over the scope. */
  dailyTotals(
    scope: CostScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    return this.sumBy(
      scope,
      { owners: OWNER_DAILY, groups: GROUP_DAILY, entities: ENTITY_DAILY },
      'day',
      { column: 'day', from, to },
    );
  }

  /** Amounts per month (YYYY-MM), summed over the scope. */
  monthlyTotals(
    scope: CostScope,
    fromMonth: string,
    toMonth: string,
  ): Promise<AmountByKey[]> {
    return this.sumBy(
      scope,
      {
        owners: OWNER_MONTHLY,
        groups: GROUP_MONTHLY,
        entities: ENTITY_MONTHLY,
      },
      'month',
      { column: 'month', from: fromMonth.slice(0, 7), to: toMonth.slice(0, 7) },
    );
  }

  /**
   * Amounts per cloud service over the period (entity scopes read the cost
   * lines, which keep the service).
   */
  totalsByService(
    scope: CostScope,
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    return this.sumBy(
      scope,
      { owners: OWNER_DAILY, groups: GROUP_DAILY, entities: LINES },
      'service',
      { column: 'day', from, to },
    );
  }

  /**
   * Amounts per owner over the period ("" for no known owner): every
   * owner's, or the given owners'.
   */
  async totalsByOwner(
    from: string,
    to: string,
    ownerRefs?: string[],
  ): Promise<AmountByKey[]> {
    if (ownerRefs?.length === 0) return [];
    const query = this.knex(OWNER_DAILY)
      .select('owner_ref as key')
      .sum({ amount: 'amount' })
      .where('day', '>=', from)
      .andWhere('day', '<=', to)
      .groupBy('owner_ref');
    if (ownerRefs) query.whereIn('owner_ref', ownerRefs);
    const rows: Row[] = await query;
    return rows.map(r => ({ key: r.key, amount: Number(r.amount) }));
  }

  /**
   * Amounts in each of some periods of some groups, each its whole
   * subtree's (from the group roll-ups), and of one owner alone (what a
   * group owns directly), in one query: a map per period, by group or
   * owner ref, without the refs that had no cost in it.
   */
  async subtreeTotals(
    groupRefs: string[],
    ownerRef: string,
    periods: Array<{ from: string; to: string }>,
  ): Promise<Array<Map<string, number>>> {
    const from = periods.reduce((a, p) => (p.from < a ? p.from : a), '9999');
    const to = periods.reduce((a, p) => (p.to > a ? p.to : a), '');
    const part = (table: string, column: string, refs: string[]) => {
      const q = this.knex(table)
        .select({ key: column })
        .whereIn(column, refs)
        .andWhere('day', '>=', from)
        .andWhere('day', '<=', to)
        .groupBy(column);
      periods.forEach((p, i) =>
        q.select(
          this.knex.raw(
            'sum(case when day >= ? and day <= ? then amount end) as ??',
            [p.from, p.to, `p${i}`],
          ),
        ),
      );
      return q;
    };
    const owner = part(OWNER_DAILY, 'owner_ref', [ownerRef]);
    const rows: Row[] = await (groupRefs.length
      ? this.knex.unionAll([part(GROUP_DAILY, 'group_ref', groupRefs), owner])
      : owner);
    return periods.map((_, i) => {
      const map = new Map<string, number>();
      for (const r of rows) {
        if (r[`p${i}`] !== null) map.set(r.key, Number(r[`p${i}`]));
      }
      return map;
    });
  }

  /**
   * A group's roll-up rows over a range of days: its subtree's cost per
   * day and service, by day.
   */
  async groupDaily(
    groupRef: string,
    from: string,
    to: string,
  ): Promise<Array<{ day: string; service: string; amount: number }>> {
    const rows: Row[] = await this.knex(GROUP_DAILY)
      .select('day', 'service', 'amount')
      .where('group_ref', groupRef)
      .andWhere('day', '>=', from)
      .andWhere('day', '<=', to)
      .orderBy('day');
    return rows.map(r => ({
      day: r.day,
      service: r.service,
      amount: Number(r.amount),
    }));
  }

  /** Amounts per entity over the period, for the given entities. */
  async totalsByEntity(
    entityRefs: string[],
    from: string,
    to: string,
  ): Promise<AmountByKey[]> {
    const [totals] = await this.totalsByEntityInPeriods(entityRefs, [
      { from, to },
    ]);
    return totals;
  }

  /**
   * Amounts per entity in each of some periods (a period and the one
   * before it), for the given entities, each list by key; an entity without
   * cost in a period is not in its list. A period's whole weeks (Monday to
   * Sunday) are read from the weekly roll-up, the days before the first and
   * after the last from the daily one, so 30 days are about 10 rows per
   * entity rather than 30. Up to ENTITIES_BY_INDEX entities are looked up
   * in the entity indexes (on PostgreSQL by a lateral join, every period in
   * one query, as its planner would otherwise read the period's rows); more
   * are read by day (and week) range and kept if asked for.
   */
  async totalsByEntityInPeriods(
    entityRefs: string[],
    periods: Array<{ from: string; to: string }>,
  ): Promise<AmountByKey[][]> {
    const wanted = [...new Set(entityRefs)];
    const asked = new Set(wanted);
    const byKey = (rows: AmountByKey[]) =>
      rows
        .filter(r => asked.has(r.key))
        .sort((a, b) => (a.key < b.key ? -1 : Number(a.key > b.key)));
    if (wanted.length === 0) return periods.map(() => []);
    const ranges = periods.map(p => rangesOf(p.from, p.to));
    const byIndex = wanted.length <= ENTITIES_BY_INDEX;
    if (byIndex && this.knex.client.config.client === 'pg') {
      const sumOf = (parts: Range[]) =>
        parts.length === 0
          ? 'null'
          : `(select sum(amount) from (${parts
              .map(
                () =>
                  'select amount from ?? where entity_ref = r.ref and ?? between ? and ?',
              )
              .join(' union all ')}) as x)`;
      const result = await this.knex.raw(
        `select r.ref as key, ${periods
          .map((_, i) => `s.p${i}`)
          .join(', ')} from unnest(?::text[]) as r(ref)
         cross join lateral (select ${ranges
           .map((parts, i) => `${sumOf(parts)} as p${i}`)
           .join(', ')}) as s`,
        [wanted, ...ranges.flat(2)],
      );
      return periods.map((_, i) =>
        byKey(
          result.rows
            .filter((r: Row) => r[`p${i}`] !== null)
            .map((r: Row) => ({ key: r.key, amount: Number(r[`p${i}`]) })),
        ),
      );
    }
    return Promise.all(
      ranges.map(async parts => {
        if (parts.length === 0) return [];
        const [first, ...rest] = parts.map(([table, column, a, b]) => {
          const q = this.knex(table)
            .select('entity_ref', 'amount')
            .where(column, '>=', a)
            .andWhere(column, '<=', b);
          if (byIndex) q.whereIn('entity_ref', wanted);
          return q;
        });
        const rows: Row[] = await this.knex
          .select('entity_ref as key')
          .sum({ amount: 'amount' })
          .from((rest.length ? first.unionAll(rest) : first).as('p'))
          .groupBy('entity_ref');
        return byKey(rows.map(r => ({ key: r.key, amount: Number(r.amount) })));
      }),
    );
  }

  /** Amounts per entity and month ("" for lines without an entity). */
  async monthlyByEntity(
    fromMonth: string,
    toMonth: string,
  ): Promise<Array<{ entityRef: string; month: string; amount: number }>> {
    const rows: Row[] = await this.knex(ENTITY_MONTHLY)
      .select({ entityRef: 'entity_ref', month: 'month', amount: 'amount' })
      .where('month', '>=', fromMonth.slice(0, 7))
      .andWhere('month', '<=', toMonth.slice(0, 7));
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
    const rows: Row[] = await this.knex(ENTITY_DAILY)
      .select({ entityRef: 'entity_ref', day: 'day', amount: 'amount' })
      .where('day', '>=', from)
      .andWhere('day', '<=', to)
      .andWhere('entity_ref', '<>', '');
    return rows.map(r => ({
      entityRef: r.entityRef,
      day: r.day,
      amount: Number(r.amount),
    }));
  }

  /**
   * The first day from `since` on that is still estimated, of some entities
   * or of any (estimated days are the recent ones, so the day index finds
   * them).
   */
  async firstEstimatedDay(
    since: string,
    entityRefs?: string[],
  ): Promise<string | undefined> {
    const query = this.knex(ENTITY_DAILY)
      .min({ day: 'day' })
      .where('day', '>=', since)
      .andWhere('estimated', 1);
    if (entityRefs) {
      if (entityRefs.length === 0) return undefined;
      query.whereIn('entity_ref', entityRefs);
    }
    const row: Row | undefined = await query.first();
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

  /** Replaces a source's purchase recommendations. */
  async replaceRecommendations(
    source: string,
    recommendations: PurchaseRecommendation[],
    fetchedAt: Date,
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(RECOMMENDATIONS).where('source', source).delete();
      for (let i = 0; i < recommendations.length; i += ROWS_PER_INSERT) {
        await tx(RECOMMENDATIONS).insert(
          recommendations.slice(i, i + ROWS_PER_INSERT).map(r => ({
            source,
            kind: r.kind,
            description: r.description,
            service: r.service,
            term: r.term,
            payment_option: r.paymentOption,
            monthly_savings: r.estimatedMonthlySavings,
            upfront_cost: r.upfrontCost,
            currency: r.currency,
            fetched_at: fetchedAt,
          })),
        );
      }
    });
  }

  /** Every source's recommendations, biggest saving first. */
  async listRecommendations(): Promise<Recommendation[]> {
    const rows: Row[] = await this.knex(RECOMMENDATIONS).orderBy(
      'monthly_savings',
      'desc',
    );
    return rows.map(r => ({
      source: r.source,
      kind: r.kind,
      description: r.description,
      service: r.service,
      term: r.term,
      paymentOption: r.payment_option,
      estimatedMonthlySavings: Number(r.monthly_savings),
      upfrontCost: Number(r.upfront_cost),
      currency: r.currency,
      fetchedAt: toDate(r.fetched_at).toISOString(),
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

/** The months (YYYY-MM) from the month of `from` to that of `to`. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  const date = new Date(`${from.slice(0, 7)}-01T00:00:00Z`);
  while (
    date.toISOString().slice(0, 7) <= to.slice(0, 7) &&
    months.length < 600
  ) {
    months.push(date.toISOString().slice(0, 7));
    date.setUTCMonth(date.getUTCMonth() + 1);
  }
  return months;
}

/** A range of an entity roll-up: table, column, first and last value. */
type Range = [table: string, column: string, from: string, to: string];

/**
 * Where an entity's cost over a period is: its whole weeks in the weekly
 * roll-up, the days before the first and after the last in the daily one.
 */
function rangesOf(from: string, to: string): Range[] {
  if (from > to) return [];
  const { weekFrom, weekTo } = wholeWeeks(from, to);
  if (weekFrom > weekTo) return [['finops_entity_daily', 'day', from, to]];
  const ranges: Range[] = [];
  if (from < weekFrom) {
    ranges.push(['finops_entity_daily', 'day', from, addDays(weekFrom, -1)]);
  }
  ranges.push(['finops_entity_weekly', 'week', weekFrom, weekTo]);
  const lastDayOfWeeks = addDays(weekTo, 6);
  if (lastDayOfWeeks < to) {
    ranges.push(['finops_entity_daily', 'day', addDays(lastDayOfWeeks, 1), to]);
  }
  return ranges;
}

/** The Monday of a day's week (weeks run Monday to Sunday). */
export function mondayOf(day: string): string {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(day, -((weekday + 6) % 7));
}

/**
 * The whole weeks within a period, as the Mondays of the first and the
 * last (weekFrom > weekTo when there is none).
 */
export function wholeWeeks(from: string, to: string) {
  const monday = mondayOf(from);
  const weekFrom = monday === from ? from : addDays(monday, 7);
  const weekTo = addDays(mondayOf(addDays(to, 1)), -7);
  return { weekFrom, weekTo };
}

/** mondayOf in SQL, of the column `day`. */
export function mondaySql(knex: Knex): string {
  return knex.client.config.client === 'pg'
    ? "to_char(date_trunc('week', day::date), 'YYYY-MM-DD')"
    : "date(day, 'weekday 0', '-6 days')";
}

/** The day `n` days after (or before, when negative) a day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000)
    .toISOString()
    .slice(0, 10);
}
