import {
  AllocationResult,
  BudgetStatus,
  CostAlert,
  CostPoint,
  CostShare,
  CostSummary,
  GroupCost,
  OrganisationCost,
  UnattributedSpend,
} from '@portal/plugin-finops-common';
import {
  addDays,
  AmountByKey,
  daysBetween,
  monthsOf,
  CostScope,
  FinopsStore,
  StoredAlert,
} from '../database/FinopsStore';
import { CostCatalogSnapshot, costRefsOf, ownersOf } from './CostCatalog';
import { AllocationRule } from './options';

/** A period of days and the one of the same length before it. */
export interface Period {
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
}

/** Which owners the caller may see: all, or those the predicate allows. */
export type OwnerFilter = (ownerRef: string) => boolean;

export interface CostServiceOptions {
  currency: string;
  /** Shared spend split across groups. */
  allocation?: AllocationRule[];
  /** Whether the data is the embedded demo year. */
  demo: boolean;
}

const round = (n: number) => Math.round(n * 100) / 100;

function toMap(rows: AmountByKey[]) {
  return new Map(rows.map(r => [r.key, r.amount]));
}

function sum(rows: AmountByKey[]) {
  return rows.reduce((total, r) => total + r.amount, 0);
}

/** Current and previous amounts by key, biggest first. */
function shares(
  current: AmountByKey[],
  previous: AmountByKey[],
  title?: (key: string) => string | undefined,
): CostShare[] {
  const before = toMap(previous);
  const keys = new Set([...current.map(r => r.key), ...before.keys()]);
  const now = toMap(current);
  return [...keys]
    .map(key => ({
      key,
      title: title?.(key),
      amount: round(now.get(key) ?? 0),
      previous: round(before.get(key) ?? 0),
    }))
    .filter(s => s.amount !== 0 || s.previous !== 0)
    .sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key));
}

function monthStart(day: string, monthsBack: number): string {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() - monthsBack);
  return date.toISOString().slice(0, 10);
}

function daysInMonth(day: string): number {
  const date = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);
  date.setUTCDate(0);
  return date.getUTCDate();
}

/** The first day `monthForecast` needs: the month's start or a week back. */
export function forecastFrom(to: string): string {
  const weekBack = addDays(to, -6);
  const firstOfMonth = `${to.slice(0, 7)}-01`;
  return weekBack < firstOfMonth ? weekBack : firstOfMonth;
}

/**
 * Spend so far in the month of `to`, and the month-end forecast: the last
 * seven days' daily rate run to the end of the month.
 */
export function monthForecast(daily: AmountByKey[], to: string) {
  const month = to.slice(0, 7);
  const actual = sum(daily.filter(d => d.key.startsWith(month)));
  const rate = sum(daily.filter(d => d.key >= addDays(to, -6))) / 7;
  const remaining = daysInMonth(to) - Number(to.slice(8, 10));
  return { actual, forecast: actual + rate * remaining };
}

/**
 * Each group of the catalog's tree with its subtree (itself and every group
 * below it), as the group roll-ups sum them.
 */
export function subtreesOf(
  snapshot: CostCatalogSnapshot,
): Map<string, string[]> {
  return new Map(
    snapshot.tree
      .all()
      .map(node => [node.ref, snapshot.tree.withDescendants(node.ref)]),
  );
}

function presentAlert(alert: StoredAlert): CostAlert {
  return {
    id: alert.id,
    kind: alert.kind,
    ref: alert.ref,
    day: alert.day,
    amount: round(alert.amount),
    expected: round(alert.expected),
    message: alert.message,
    createdAt: alert.createdAt.toISOString(),
  };
}

/** Builds the views' figures from the store and the catalog snapshot. */
export class CostService {
  constructor(
    private readonly store: FinopsStore,
    private readonly options: CostServiceOptions,
    private readonly today: () => string = () =>
      new Date().toISOString().slice(0, 10),
  ) {}

  /** The period ending at the newest day with data (or today). */
  async period(days: number): Promise<Period> {
    const today = this.today();
    const last = (await this.store.lastDay()) ?? today;
    const to = last < today ? last : today;
    const from = addDays(to, -(days - 1));
    return {
      from,
      to,
      previousFrom: addDays(from, -days),
      previousTo: addDays(from, -1),
    };
  }

  private async summary(
    ref: string,
    scope: CostScope,
    days: number,
    known?: Period,
  ): Promise<CostSummary> {
    const { from, to, previousFrom, previousTo } =
      known ?? (await this.period(days));
    const [
      [daily, previousDaily, services, previousServices],
      monthly,
      estimatedFrom,
    ] = await Promise.all([
      this.daysAndServices(scope, { from, to, previousFrom, previousTo }),
      this.store.monthlyTotals(scope, monthStart(to, 12), to.slice(0, 7)),
      this.store.firstEstimatedDay(
        from,
        'entityRefs' in scope ? scope.entityRefs : undefined,
      ),
    ]);
    const byDay = toMap(daily);
    const byMonth = toMap(monthly);
    return {
      ref,
      currency: this.options.currency,
      from,
      to,
      total: round(sum(daily)),
      previousTotal: round(sum(previousDaily)),
      allocated: 0,
      daily: daysBetween(from, to).map<CostPoint>(day => ({
        period: day,
        amount: round(byDay.get(day) ?? 0),
      })),
      monthly: monthsOf(monthStart(to, 12), to).map<CostPoint>(month => ({
        period: month,
        amount: round(byMonth.get(month) ?? 0),
      })),
      byService: shares(services, previousServices),
      estimatedFrom:
        estimatedFrom && estimatedFrom <= to ? estimatedFrom : undefined,
      demo: this.options.demo,
    };
  }

  /**
   * Amounts by day and by service in a period and the one before it. A
   * group's come from one read of its roll-up rows (a row per day and
   * service), summed here; other scopes' from four grouped queries.
   */
  private async daysAndServices(
    scope: CostScope,
    { from, to, previousFrom, previousTo }: Period,
  ): Promise<AmountByKey[][]> {
    if (!('groupRef' in scope)) {
      return Promise.all([
        this.store.dailyTotals(scope, from, to),
        this.store.dailyTotals(scope, previousFrom, previousTo),
        this.store.totalsByService(scope, from, to),
        this.store.totalsByService(scope, previousFrom, previousTo),
      ]);
    }
    const rows = await this.store.groupDaily(
      scope.groupRef,
      previousFrom < from ? previousFrom : from,
      previousTo > to ? previousTo : to,
    );
    const totals = (f: string, t: string, by: 'day' | 'service') => {
      const map = new Map<string, number>();
      for (const row of rows) {
        if (row.day < f || row.day > t) continue;
        map.set(row[by], (map.get(row[by]) ?? 0) + row.amount);
      }
      return [...map]
        .map(([key, amount]) => ({ key, amount }))
        .sort((a, b) => (a.key < b.key ? -1 : Number(a.key > b.key)));
    };
    return [
      totals(from, to, 'day'),
      totals(previousFrom, previousTo, 'day'),
      totals(from, to, 'service'),
      totals(previousFrom, previousTo, 'service'),
    ];
  }

  /** The cost of a component, resource or system (with its parts). */
  async entityCost(
    snapshot: CostCatalogSnapshot,
    ref: string,
    days: number,
  ): Promise<CostSummary> {
    return this.summary(ref, { entityRefs: costRefsOf(snapshot, ref) }, days);
  }

  /**
   * Records the catalog's ownership and group tree for the owner and group
   * roll-ups, once per snapshot (a rebuild only when they changed).
   */
  async syncOwners(snapshot: CostCatalogSnapshot): Promise<void> {
    if (this.synced.has(snapshot)) return;
    await this.store.syncOwners(ownersOf(snapshot), subtreesOf(snapshot));
    this.synced.add(snapshot);
  }

  private readonly synced = new WeakSet<CostCatalogSnapshot>();

  /** The entities a set of owners own, that the caller may see. */
  private ownedRefs(
    snapshot: CostCatalogSnapshot,
    owners: string[],
    allowed: OwnerFilter,
  ): string[] {
    return owners
      .filter(allowed)
      .flatMap(owner => snapshot.byOwner.get(owner) ?? [])
      .map(e => e.ref);
  }

  /** The manager's view of a group and everything below it. */
  async groupCost(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    days: number,
    allowed: OwnerFilter,
  ): Promise<GroupCost> {
    await this.syncOwners(snapshot);
    const { tree } = snapshot;
    const group = groupRef.toLowerCase();
    const subtree = tree.withDescendants(group);
    const owners = subtree.filter(allowed);
    // A caller who may see the whole subtree of a group the tree knows
    // reads the group roll-ups (kept for the tree as synced); otherwise
    // the owner roll-ups of the owners they may see.
    const whole = !!tree.get(group) && owners.length === subtree.length;
    const scope: CostScope = whole
      ? { groupRef: group }
      : { ownerRefs: owners };
    const period = await this.period(days);
    const { from, to, previousFrom, previousTo } = period;
    const refs = this.ownedRefs(snapshot, owners, () => true);
    const children = tree.get(group)?.childRefs ?? [];
    // Every owner's totals only where they are needed: the allocation
    // rules' weights, and sub-groups the caller sees only part of.
    const needOwners = !whole || (this.options.allocation ?? []).length > 0;
    const childTotals = whole
      ? this.store.subtreeTotals(children, group, [
          { from, to },
          { from: previousFrom, to: previousTo },
        ])
      : Promise.resolve([undefined, undefined]);
    // Independent reads, side by side (PostgreSQL runs them in parallel).
    const [
      summary,
      [current, previous],
      ownersNow,
      ownersBefore,
      [childrenNow, childrenBefore],
      budget,
      alerts,
    ] = await Promise.all([
      this.summary(group, scope, days, period),
      this.store.totalsByEntityInPeriods(refs, [
        { from, to },
        { from: previousFrom, to: previousTo },
      ]),
      needOwners ? this.store.totalsByOwner(from, to) : undefined,
      needOwners
        ? this.store.totalsByOwner(previousFrom, previousTo)
        : undefined,
      childTotals,
      this.budgetStatus(group, scope, to),
      this.store.listAlerts([group, ...refs], addDays(to, -30)),
    ]);
    // The allocation rules split by the same owner totals.
    const [allocNow, allocBefore] = await Promise.all([
      this.allocate(snapshot, from, to, ownersNow),
      this.allocate(snapshot, previousFrom, previousTo, ownersBefore),
    ]);
    const titleOf = (key: string) =>
      snapshot.entities.get(key)?.title ?? tree.get(key)?.title;
    const byEntity = shares(current, previous, titleOf);

    // Sub-groups, each rolled up, and what the group owns itself: from the
    // group roll-ups, or summed over the owners the caller may see.
    const total = (
      rolledUp: Map<string, number> | undefined,
      byOwner: AmountByKey[] | undefined,
      key: string,
      keyOwners: string[],
    ) => {
      if (rolledUp) return rolledUp.get(key) ?? 0;
      const map = toMap(byOwner ?? []);
      return keyOwners.reduce((t, k) => t + (map.get(k) ?? 0), 0);
    };
    const byChild: CostShare[] = [
      ...children.map(child => ({
        key: child,
        title: tree.get(child)?.title,
        owners: whole ? [] : tree.withDescendants(child).filter(allowed),
      })),
      {
        key: group,
        title: `${tree.get(group)?.title ?? group} (owned directly)`,
        owners: [group].filter(allowed),
      },
    ]
      .map(({ key, title, owners: keyOwners }) => ({
        key,
        title,
        amount: round(total(childrenNow, ownersNow, key, keyOwners)),
        previous: round(total(childrenBefore, ownersBefore, key, keyOwners)),
      }))
      .filter(s => s.amount !== 0 || s.previous !== 0)
      .sort((a, b) => b.amount - a.amount);

    const topMovers = [...byEntity]
      .sort(
        (a, b) =>
          Math.abs(b.amount - b.previous) - Math.abs(a.amount - a.previous),
      )
      .slice(0, 5);

    const inSubtree = new Set(subtree);
    const allocatedTo = (result: AllocationResult) =>
      result.shares
        .filter(share => inSubtree.has(share.key))
        .reduce((t, share) => t + share.amount, 0);
    const allocations: CostShare[] = allocNow
      .map((result, i) => ({
        key: result.name,
        title: result.name,
        amount: round(allocatedTo(result)),
        previous: round(allocatedTo(allocBefore[i])),
      }))
      .filter(a => a.amount !== 0 || a.previous !== 0);

    return {
      ...summary,
      allocated: round(allocations.reduce((t, a) => t + a.amount, 0)),
      allocations,
      byChild,
      byEntity: byEntity.slice(0, 20),
      topMovers,
      budget,
      alerts: alerts.map(presentAlert),
    };
  }

  /** A page of a group's entities, biggest first. */
  async groupEntities(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    days: number,
    allowed: OwnerFilter,
    page: { offset: number; limit: number },
  ) {
    const owners = snapshot.tree.withDescendants(groupRef);
    const refs = this.ownedRefs(snapshot, owners, allowed);
    const { from, to, previousFrom, previousTo } = await this.period(days);
    const [current, previous] = await Promise.all([
      this.store.totalsByEntity(refs, from, to),
      this.store.totalsByEntity(refs, previousFrom, previousTo),
    ]);
    const all = shares(
      current,
      previous,
      key => snapshot.entities.get(key)?.title,
    );
    return {
      items: all.slice(page.offset, page.offset + page.limit),
      totalCount: all.length,
      nextCursor:
        page.offset + page.limit < all.length
          ? String(page.offset + page.limit)
          : undefined,
    };
  }

  /**
   * How each allocation rule splits its shared spend in a period: evenly,
   * or in proportion to the recipient groups' direct spend (their subtree's).
   */
  async allocate(
    snapshot: CostCatalogSnapshot,
    from: string,
    to: string,
    ownerTotals?: AmountByKey[],
  ): Promise<AllocationResult[]> {
    const rules = this.options.allocation ?? [];
    if (rules.length === 0) return [];
    const byOwner = toMap(
      ownerTotals ?? (await this.store.totalsByOwner(from, to)),
    );
    const unattributed = toMap(
      await this.store.totalsByService({ ownerRefs: [''] }, from, to),
    );
    const direct = (group: string) =>
      snapshot.tree
        .withDescendants(group)
        .reduce((t, owner) => t + (byOwner.get(owner) ?? 0), 0);
    const results: AllocationResult[] = [];
    for (const rule of rules) {
      const amount = rule.entityRef
        ? sum(await this.store.totalsByEntity([rule.entityRef], from, to))
        : unattributed.get(rule.service!) ?? 0;
      let weights = rule.to.map(group =>
        rule.method === 'even' ? 1 : Math.max(0, direct(group)),
      );
      if (weights.every(w => w === 0)) weights = rule.to.map(() => 1);
      const totalWeight = weights.reduce((a, b) => a + b, 0);
      results.push({
        name: rule.name,
        method: rule.method,
        matches: rule.entityRef
          ? rule.entityRef
          : `unattributed spend on ${rule.service}`,
        amount: round(amount),
        shares: rule.to
          .map((group, i) => ({
            key: group,
            title: snapshot.tree.get(group)?.title,
            amount: round((amount * weights[i]) / totalWeight),
            previous: 0,
          }))
          .sort((a, b) => b.amount - a.amount),
      });
    }
    return results;
  }

  private async budgetStatus(
    groupRef: string,
    scope: CostScope,
    to: string,
  ): Promise<BudgetStatus | undefined> {
    const [budget] = await this.store.getBudgets([groupRef.toLowerCase()]);
    if (!budget) return undefined;
    const month = to.slice(0, 7);
    const daily = await this.store.dailyTotals(scope, forecastFrom(to), to);
    const { actual, forecast } = monthForecast(daily, to);
    return {
      month,
      budget: round(budget.monthlyAmount),
      actual: round(actual),
      forecast: round(forecast),
    };
  }

  /** The finance page: every department and product, month by month. */
  async organisationCost(
    snapshot: CostCatalogSnapshot,
    months: number,
  ): Promise<OrganisationCost> {
    const { to } = await this.period(1);
    const from = monthStart(to, months - 1);
    const monthList = monthsOf(from, to);
    const index = new Map(monthList.map((m, i) => [m, i]));
    const rows = await this.store.monthlyByEntity(from, to.slice(0, 7));
    const departments = new Map<string, number[]>();
    const products = new Map<string, number[]>();
    const unattributed = monthList.map(() => 0);
    const add = (
      map: Map<string, number[]>,
      key: string,
      i: number,
      n: number,
    ) => {
      const series = map.get(key) ?? monthList.map(() => 0);
      series[i] += n;
      map.set(key, series);
    };
    for (const row of rows) {
      const i = index.get(row.month);
      if (i === undefined) continue;
      const entity = snapshot.entities.get(row.entityRef);
      if (!entity) {
        unattributed[i] += row.amount;
        continue;
      }
      const department = entity.ownerRef
        ? snapshot.tree.departmentOf(entity.ownerRef)
        : undefined;
      add(departments, department ?? 'unowned', i, row.amount);
      const system =
        entity.kind === 'system' ? entity.ref : entity.partOfRef ?? 'none';
      add(products, system, i, row.amount);
    }
    const series = (map: Map<string, number[]>, title: (k: string) => string) =>
      [...map.entries()]
        .map(([ref, amounts]) => ({
          ref,
          title: title(ref),
          amounts: amounts.map(round),
        }))
        .sort(
          (a, b) =>
            b.amounts.reduce((x, y) => x + y, 0) -
            a.amounts.reduce((x, y) => x + y, 0),
        );
    return {
      currency: this.options.currency,
      months: monthList,
      byDepartment: series(departments, ref =>
        ref === 'unowned'
          ? 'Owned by no group'
          : snapshot.tree.get(ref)?.title ?? ref,
      ),
      byProduct: series(products, ref =>
        ref === 'none'
          ? 'Not part of a system'
          : snapshot.entities.get(ref)?.title ?? ref,
      ),
      unattributed: unattributed.map(round),
      demo: this.options.demo,
    };
  }

  /** Spend no catalog entity owns, biggest first. */
  async unattributedSpend(
    snapshot: CostCatalogSnapshot,
    days: number,
  ): Promise<UnattributedSpend[]> {
    const { from, to } = await this.period(days);
    const rows = await this.store.unattributed(
      [...snapshot.entities.keys()],
      from,
      to,
    );
    return rows
      .map<UnattributedSpend>(r => {
        let reason: UnattributedSpend['reason'] = 'unknown-entity';
        if (!r.tagValue) reason = 'untagged';
        else if (!r.entityRef) reason = 'not-an-entity-ref';
        return {
          service: r.service,
          account: r.account,
          tagValue: r.tagValue,
          reason,
          amount: round(r.amount),
        };
      })
      .filter(r => r.amount !== 0)
      .sort((a, b) => b.amount - a.amount);
  }
}
