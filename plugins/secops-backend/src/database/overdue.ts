/*
 * The one definition of "overdue" in SQL, for every count that needs it: an
 * open finding first seen before its severity's cut-off. The cut-offs come
 * from the SLA (`overdueCutoffs` in ../service/options.ts), which also gives
 * a single finding its due date; severities without an SLA are never overdue.
 */
import { Severity } from '@portal/plugin-secops-common';
import { Knex } from 'knex';

/** Per severity, the first-seen time before which an open finding is overdue. */
export type OverdueCutoffs = Partial<Record<Severity, Date>>;

/** A condition on a row of secops_findings, true when the finding is overdue. */
export function overdueCondition(
  knex: Knex,
  cutoffs: OverdueCutoffs,
): Knex.Raw {
  const entries = Object.entries(cutoffs) as Array<[Severity, Date]>;
  if (!entries.length) {
    return knex.raw('1 = 0');
  }
  const bySeverity = entries
    .map(() => '(severity = ? and first_seen_at < ?)')
    .join(' or ');
  return knex.raw(
    `status = 'open' and (${bySeverity})`,
    entries.flatMap(([severity, before]) => [severity, before]),
  );
}

/** How many of the rows counted are overdue: a `select` expression. */
export function overdueCount(knex: Knex, cutoffs: OverdueCutoffs): Knex.Raw {
  return knex.raw('sum(case when ? then 1 else 0 end)', [
    overdueCondition(knex, cutoffs),
  ]);
}
