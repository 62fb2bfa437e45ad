/*
 * Cost per entity from the entity roll-ups (finops_entity_daily, _weekly
 * and _monthly): a period's totals, months for the finance page, days for
 * anomaly detection, and where estimated days begin.
 */
import { Knex } from 'knex';
import { addDays, wholeWeeks } from './days';
import { ENTITY_DAILY, ENTITY_MONTHLY, periodSumsByKey, Row } from './tables';
import { AmountByKey } from './types';

/**
 * Entities up to which a per-entity query looks each up by the entity
 * index; above it, reading the period's rows by day and keeping those
 * asked for is cheaper (the whole organisation, a large department).
 */
const ENTITIES_BY_INDEX = 500;

/**
 * PostgreSQL runs a statement on one core: the lookups of more entities
 * than this are split into statements of at most this many, sent side by
 * side (a department's 200 entities are two statements on two cores).
 */
export const ENTITIES_PER_STATEMENT = 100;

/** Cost per entity, from the entity roll-ups. */
export class EntityCostStore {
  constructor(private readonly knex: Knex) {}

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
   * in the entity indexes; more are read by day (and week) range and kept
   * if asked for. On PostgreSQL the lookups are a lateral join (as its
   * planner would otherwise read the period's rows), each entity's days of
   * every period in one range of the daily roll-up's key, which carries
   * the amount: read from the index alone, that is cheaper than the six
   * smaller lookups of the weekly way. Those lookups are split into
   * statements of ENTITIES_PER_STATEMENT entities, run side by side.
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
    const byIndex = wanted.length <= ENTITIES_BY_INDEX;
    if (byIndex && this.knex.client.config.client === 'pg') {
      const parts: string[][] = [];
      for (let i = 0; i < wanted.length; i += ENTITIES_PER_STATEMENT) {
        parts.push(wanted.slice(i, i + ENTITIES_PER_STATEMENT));
      }
      const rows = (
        await Promise.all(
          parts.map(refs =>
            periodSumsByKey(
              this.knex,
              [{ table: ENTITY_DAILY, column: 'entity_ref', refs }],
              periods,
            ),
          ),
        )
      ).flat();
      return periods.map((_, i) =>
        byKey(
          rows
            .filter(r => r[`p${i}`] !== null)
            .map(r => ({ key: r.key, amount: Number(r[`p${i}`]) })),
        ),
      );
    }
    const ranges = periods.map(p => rangesOf(p.from, p.to));
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
