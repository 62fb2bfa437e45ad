/*
 * What the FinOps stores share: the tables (created by the migrations in
 * ../../migrations), how timestamps come back from each database, and the
 * bulk insert of cost lines.
 */
import { Knex } from 'knex';

export const LINES = 'finops_cost_lines';
export const IMPORTS = 'finops_imports';
export const SOURCE_DAYS = 'finops_source_days';
export const BUDGETS = 'finops_budgets';
export const ALERTS = 'finops_alerts';
export const ENTITY_DAILY = 'finops_entity_daily';
export const ENTITY_MONTHLY = 'finops_entity_monthly';
export const ENTITY_WEEKLY = 'finops_entity_weekly';
export const OWNER_DAILY = 'finops_owner_daily';
export const OWNER_MONTHLY = 'finops_owner_monthly';
export const OWNERS = 'finops_entity_owners';
export const RECOMMENDATIONS = 'finops_recommendations';
export const GROUP_OWNERS = 'finops_group_owners';
export const GROUP_DAILY = 'finops_group_daily';
export const GROUP_MONTHLY = 'finops_group_monthly';

/** SQLite hands timestamps back as numbers or strings, PostgreSQL as Dates. */
export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

/** Rows per insert of the small tables. */
export const ROWS_PER_INSERT = 500;

/** A row of an aggregate query (knex cannot type sums and aliases). */
export type Row = Record<string, any>;

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

/**
 * PostgreSQL only: each ref's amounts in each of some periods, from daily
 * tables keyed by (ref, day, ...): for each ref, one range of the key per
 * period (read from the index alone where the key carries the amount).
 * Its planner would otherwise read every ref's rows of those days by a day
 * index. One query for all the parts; a row per ref, `p0`, `p1`, ... null
 * where the ref had no rows. (Measured against one range over all periods
 * summed by case, and the weekly roll-up's fewer rows in more ranges: this
 * did the least work.)
 */
export async function periodSumsByKey(
  knex: Knex,
  parts: Array<{ table: string; column: string; refs: string[] }>,
  periods: Array<{ from: string; to: string }>,
): Promise<Row[]> {
  const sums = periods
    .map(
      (_, i) =>
        `(select sum(amount) from ?? where ?? = r.ref and day >= ? and day <= ?) as p${i}`,
    )
    .join(', ');
  const result = await knex.raw(
    parts
      .map(
        () => `select r.ref as key, ${sums} from unnest(?::text[]) as r(ref)`,
      )
      .join(' union all '),
    parts.flatMap(({ table, column, refs }) => [
      ...periods.flatMap(p => [table, column, p.from, p.to]),
      refs,
    ]),
  );
  return result.rows;
}
