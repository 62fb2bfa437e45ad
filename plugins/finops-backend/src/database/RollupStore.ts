/*
 * Who owns what (finops_entity_owners, finops_group_owners: each group's
 * subtree) and the cost of a scope (an entity's parts, some owners, a whole
 * group) read from the roll-ups. A change of ownership or of the group tree
 * rebuilds the roll-ups that depend on it.
 */
import { Knex } from 'knex';
import { refreshGroupRollups, refreshOwnerRollups } from './rollups';
import {
  ENTITY_DAILY,
  ENTITY_MONTHLY,
  GROUP_DAILY,
  GROUP_MONTHLY,
  GROUP_OWNERS,
  LINES,
  OWNER_DAILY,
  OWNER_MONTHLY,
  OWNERS,
  periodSumsByKey,
  Row,
  ROWS_PER_INSERT,
} from './tables';
import { AmountByKey, CostScope } from './types';

/** Ownership and the cost of scopes, from the roll-ups. */
export class RollupStore {
  constructor(private readonly knex: Knex) {}

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
          await refreshGroupRollups(tx, range.from, range.to);
        } else {
          await refreshOwnerRollups(tx, range.from, range.to);
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
   * group owns directly): a map per period, by group or owner ref, without
   * the refs that had no cost in it. One query; on PostgreSQL each ref's
   * rows are looked up by its key (periodSumsByKey).
   */
  async subtreeTotals(
    groupRefs: string[],
    ownerRef: string,
    periods: Array<{ from: string; to: string }>,
  ): Promise<Array<Map<string, number>>> {
    let rows: Row[];
    if (this.knex.client.config.client === 'pg') {
      rows = await periodSumsByKey(
        this.knex,
        [
          { table: GROUP_DAILY, column: 'group_ref', refs: groupRefs },
          { table: OWNER_DAILY, column: 'owner_ref', refs: [ownerRef] },
        ].filter(p => p.refs.length),
        periods,
      );
    } else {
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
      rows = await (groupRefs.length
        ? this.knex.unionAll([part(GROUP_DAILY, 'group_ref', groupRefs), owner])
        : owner);
    }
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
}
