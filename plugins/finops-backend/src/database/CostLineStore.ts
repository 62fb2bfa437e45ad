/*
 * Cost lines (finops_cost_lines) by source and day, written by the imports
 * (each write recomputes the roll-ups of its days in its transaction), and
 * the days pulled sources fetched (finops_source_days).
 */
import { StoredDay } from '@portal/plugin-finops-node';
import { Knex } from 'knex';
import { daysBetween } from './days';
import { refreshRollups } from './rollups';
import {
  BATCH_ROWS,
  insertMany,
  LINE_COLUMNS,
  LINES,
  Row,
  ROWS_PER_INSERT,
  SOURCE_DAYS,
  toDate,
} from './tables';
import { AttributedRow, UnattributedRow } from './types';

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

/** The cost lines on knex: SQLite and PostgreSQL. */
export class CostLineStore {
  constructor(private readonly knex: Knex) {}

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
      await refreshRollups(tx, from, to);
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
   * trips grow with rows / batch size.
   *
   * A batch's statements run while `produce` reads the next one (on
   * PostgreSQL the database and the parser then work side by side): `write`
   * returns once the batch before has been stored, so at most two batches
   * are held, one being stored and one being read. A failed statement is
   * thrown by the next `write`, or after `produce` ends.
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
      const store = async (rows: AttributedRow[], newDays: string[]) => {
        if (newDays.length > 0) {
          await tx(LINES)
            .where('source', source)
            .whereIn('day', newDays)
            .delete();
        }
        for (let i = 0; i < rows.length; i += BATCH_ROWS) {
          await insertMany(
            tx,
            LINES,
            LINE_COLUMNS,
            rows.slice(i, i + BATCH_ROWS).map(row => lineValues(source, row)),
          );
        }
      };
      // The batch being stored, and the first statement that failed.
      let storing: Promise<void> = Promise.resolve();
      let failure: { error: unknown } | undefined;
      const settle = async () => {
        await storing;
        if (failure) throw failure.error;
      };
      const write = async (rows: AttributedRow[]) => {
        await settle();
        const newDays = new Set<string>();
        for (const row of rows) {
          if (!seen.has(row.day)) newDays.add(row.day);
        }
        for (const day of newDays) {
          seen.add(day);
          if (!from || day < from) from = day;
          if (!to || day > to) to = day;
        }
        rowsStored += rows.length;
        // Kept, not thrown here: nothing awaits it until the next write.
        storing = store(rows, [...newDays]).catch(error => {
          failure = { error };
        });
      };
      let value: T;
      try {
        value = await options.produce(write);
      } finally {
        // Whatever happened, no statement is left running in the
        // transaction when it commits or rolls back.
        await storing;
      }
      if (failure) throw failure.error;
      if (from && to) {
        const gaps = daysBetween(from, to).filter(day => !seen.has(day));
        for (let i = 0; i < gaps.length; i += ROWS_PER_INSERT) {
          await tx(LINES)
            .where('source', source)
            .whereIn('day', gaps.slice(i, i + ROWS_PER_INSERT))
            .delete();
        }
        await refreshRollups(tx, from, to);
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
}
