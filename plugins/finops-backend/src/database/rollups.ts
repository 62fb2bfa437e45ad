/*
 * The roll-ups (entity daily, weekly and monthly; owner and group daily and
 * monthly) recomputed from the cost lines, the owners and the group tree,
 * inside the transaction of whatever changed them: an import (the
 * CostLineStore) or a change of ownership (the RollupStore).
 */
import { Knex } from 'knex';
import { addDays, mondayOf, mondaySql, monthsOf } from './days';
import {
  ENTITY_DAILY,
  ENTITY_MONTHLY,
  ENTITY_WEEKLY,
  GROUP_DAILY,
  GROUP_MONTHLY,
  GROUP_OWNERS,
  LINES,
  OWNER_DAILY,
  OWNER_MONTHLY,
  OWNERS,
} from './tables';

/**
 * Recomputes the roll-ups of the days from `from` to `to` (and of the
 * months they fall in) from the cost lines, in the caller's transaction.
 */
export async function refreshRollups(
  tx: Knex.Transaction,
  from: string,
  to: string,
) {
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
  await refreshOwnerRollups(tx, from, to);
}

/** The owner roll-ups of a range of days, from the lines and the owners. */
export async function refreshOwnerRollups(
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
  await refreshGroupRollups(tx, from, to);
}

/**
 * The group roll-ups of a range of days (and of the months they fall
 * in): the owner roll-ups summed over each group's subtree.
 */
export async function refreshGroupRollups(
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
