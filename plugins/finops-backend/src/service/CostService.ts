import {
  AllocationResult,
  BudgetStatus,
  CostPoint,
  CostShare,
  CostSummary,
  GroupCost,
} from '@portal/plugin-finops-common';
import { addDays, daysBetween, monthsOf } from '../database/days';
import { AmountByKey, CostScope, FinopsStores } from '../database/types';
import { CostAllocator } from './CostAllocator';
import {
  CostCatalogSnapshot,
  costRefsOf,
  ownersOf,
  subtreesOf,
} from './CostCatalog';
import {
  byChange,
  Direction,
  forecastFrom,
  monthForecast,
  monthStart,
  presentAlert,
  round,
  shares,
  sum,
  toMap,
} from './figures';
import { AllocationRule } from './options';

/** A period of days and the one of the same length before it. */
export interface Period {
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
}

/**
 * A group's subtree as a caller may see it: the scope of its roll-up reads
 * and the entities its visible owners own.
 */
interface GroupScope {
  group: string;
  subtree: string[];
  whole: boolean;
  scope: CostScope;
  refs: string[];
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

/**
 * Builds the views of an entity and of a group (the manager's view, a page
 * of its entities, its budget) from the stores and the catalog snapshot;
 * the organisation's views are OrganisationCostService's.
 */
export class CostService {
  private readonly allocator: CostAllocator;

  constructor(
    private readonly stores: FinopsStores,
    private readonly options: CostServiceOptions,
    private readonly today: () => string = () =>
      new Date().toISOString().slice(0, 10),
  ) {
    this.allocator = new CostAllocator(stores, options.allocation);
  }

  /** The period ending at the newest day with data (or today). */
  async period(days: number): Promise<Period> {
    const read = ++this.readsStarted;
    const last = await this.stores.lines.lastDay();
    // Reads end out of order: a read begun before an import and ended
    // after a later one does not put the older day back.
    if (!this.lastRead || read > this.lastRead.read) {
      this.lastRead = { day: last, read };
    }
    return this.periodEnding(last, days);
  }

  /** The newest day with data, as the latest begun read of it found. */
  private lastRead?: { day: string | undefined; read: number };
  private readsStarted = 0;

  private periodEnding(last: string | undefined, days: number): Period {
    const today = this.today();
    const newest = last ?? today;
    const to = newest < today ? newest : today;
    const from = addDays(to, -(days - 1));
    return {
      from,
      to,
      previousFrom: addDays(from, -days),
      previousTo: addDays(from, -1),
    };
  }

  /**
   * A view over the period ending at the newest day with data, without
   * waiting for that day first: the view starts on the period the last
   * read found while the day is read again beside it, and is built again
   * on the new period if the day has changed (an import since). Every view
   * still ends at the day read during its own call.
   */
  async inPeriod<T>(
    days: number,
    view: (period: Period) => Promise<T>,
  ): Promise<T> {
    if (!this.lastRead) return view(await this.period(days));
    const guess = this.periodEnding(this.lastRead.day, days);
    const actual = this.period(days);
    // Neither is left unhandled when the other settles first and fails.
    actual.catch(() => undefined);
    const attempt = Promise.resolve(guess).then(view);
    attempt.catch(() => undefined);
    const period = await actual;
    if (period.from === guess.from && period.to === guess.to) return attempt;
    return view(period);
  }

  private async summary(
    ref: string,
    scope: CostScope,
    days: number,
    known?: Period,
  ): Promise<CostSummary> {
    if (!known) {
      return this.inPeriod(days, period =>
        this.summary(ref, scope, days, period),
      );
    }
    const { from, to, previousFrom, previousTo } = known;
    const [
      [daily, previousDaily, services, previousServices],
      monthly,
      estimatedFrom,
    ] = await Promise.all([
      this.daysAndServices(scope, { from, to, previousFrom, previousTo }),
      this.stores.rollups.monthlyTotals(
        scope,
        monthStart(to, 12),
        to.slice(0, 7),
      ),
      this.stores.entities.firstEstimatedDay(
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
        this.stores.rollups.dailyTotals(scope, from, to),
        this.stores.rollups.dailyTotals(scope, previousFrom, previousTo),
        this.stores.rollups.totalsByService(scope, from, to),
        this.stores.rollups.totalsByService(scope, previousFrom, previousTo),
      ]);
    }
    const rows = await this.stores.rollups.groupDaily(
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
    // Callers of the same snapshot meanwhile share its one sync.
    let sync = this.synced.get(snapshot);
    if (!sync) {
      sync = this.stores.rollups
        .syncOwners(ownersOf(snapshot), subtreesOf(snapshot))
        .then(() => undefined);
      this.synced.set(snapshot, sync);
      // A failed sync is tried again by the next caller.
      sync.catch(() => this.synced.delete(snapshot));
    }
    await sync;
  }

  private readonly synced = new WeakMap<CostCatalogSnapshot, Promise<void>>();

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

  /**
   * A group's subtree as the caller may see it. A caller who may see the
   * whole subtree of a group the tree knows reads the group roll-ups (kept
   * for the tree as synced); otherwise the owner roll-ups of the owners
   * they may see. `refs` are the entities those owners own.
   */
  private async groupScope(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    allowed: OwnerFilter,
  ): Promise<GroupScope> {
    await this.syncOwners(snapshot);
    const { tree } = snapshot;
    const group = groupRef.toLowerCase();
    const subtree = tree.withDescendants(group);
    const owners = subtree.filter(allowed);
    const whole = !!tree.get(group) && owners.length === subtree.length;
    const scope: CostScope = whole
      ? { groupRef: group }
      : { ownerRefs: owners };
    const refs = this.ownedRefs(snapshot, owners, () => true);
    return { group, subtree, whole, scope, refs };
  }

  /**
   * What the home page shows of a team: its (and its sub-groups') cost in
   * the period and the one before, its budget and latest alerts; the same
   * figures as groupCost's, without the breakdowns it does not show (by
   * entity, sub-group and allocation rule), which cost a read of every
   * owner's totals.
   */
  async teamSummary(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    days: number,
    allowed: OwnerFilter,
  ) {
    const { group, scope, refs } = await this.groupScope(
      snapshot,
      groupRef,
      allowed,
    );
    return this.inPeriod(days, async period => {
      const [[daily, previousDaily], budget, alerts] = await Promise.all([
        this.daysAndServices(scope, period),
        this.budgetStatus(group, scope, period.to),
        this.stores.alerts.listAlerts(
          [group, ...refs],
          addDays(period.to, -30),
        ),
      ]);
      return {
        total: round(sum(daily)),
        previousTotal: round(sum(previousDaily)),
        currency: this.options.currency,
        budget,
        alerts: alerts.map(presentAlert),
      };
    });
  }

  /** The manager's view of a group and everything below it. */
  async groupCost(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    days: number,
    allowed: OwnerFilter,
  ): Promise<GroupCost> {
    const scoped = await this.groupScope(snapshot, groupRef, allowed);
    return this.inPeriod(days, period =>
      this.groupCostIn(snapshot, scoped, days, allowed, period),
    );
  }

  private async groupCostIn(
    snapshot: CostCatalogSnapshot,
    { group, subtree, whole, scope, refs }: GroupScope,
    days: number,
    allowed: OwnerFilter,
    period: Period,
  ): Promise<GroupCost> {
    const { tree } = snapshot;
    const { from, to, previousFrom, previousTo } = period;
    const children = tree.get(group)?.childRefs ?? [];
    // Every owner's totals only where they are needed: the allocation
    // rules' weights, and sub-groups the caller sees only part of.
    const needOwners = !whole || (this.options.allocation ?? []).length > 0;
    const childTotals = whole
      ? this.stores.rollups.subtreeTotals(children, group, [
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
      this.stores.entities.totalsByEntityInPeriods(refs, [
        { from, to },
        { from: previousFrom, to: previousTo },
      ]),
      needOwners ? this.stores.rollups.totalsByOwner(from, to) : undefined,
      needOwners
        ? this.stores.rollups.totalsByOwner(previousFrom, previousTo)
        : undefined,
      childTotals,
      this.budgetStatus(group, scope, to),
      this.stores.alerts.listAlerts([group, ...refs], addDays(to, -30)),
    ]);
    // The allocation rules split by the same owner totals.
    const [allocNow, allocBefore] = await Promise.all([
      this.allocator.allocate(snapshot, from, to, ownersNow),
      this.allocator.allocate(snapshot, previousFrom, previousTo, ownersBefore),
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

    const topMovers = byChange(byEntity, 'both').slice(0, 5);

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

  /**
   * The spend attributed to each of some entities over the period ending at
   * the newest day with data: 0 for an entity none of whose cost lines
   * carries its ref.
   */
  async attributedTotals(refs: string[], days: number) {
    const { from, to } = await this.period(days);
    const amounts = toMap(
      await this.stores.entities.totalsByEntity(refs, from, to),
    );
    return {
      currency: this.options.currency,
      from,
      to,
      items: refs.map(entityRef => ({
        entityRef,
        amount: round(amounts.get(entityRef) ?? 0),
      })),
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
    const refs = this.groupRefs(snapshot, groupRef, allowed);
    const { from, to, previousFrom, previousTo } = await this.period(days);
    const [current, previous] = await Promise.all([
      this.stores.entities.totalsByEntity(refs, from, to),
      this.stores.entities.totalsByEntity(refs, previousFrom, previousTo),
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
   * The entities whose cost moved most between the period and the one
   * before it (grew, fell, or either), a page of them: the group views'
   * top movers, over any set of entities.
   */
  async movers(
    snapshot: CostCatalogSnapshot,
    refs: string[],
    days: number,
    direction: Direction,
    page: { offset: number; limit: number },
  ) {
    const period = await this.period(days);
    const { from, to, previousFrom, previousTo } = period;
    const [current, previous] =
      await this.stores.entities.totalsByEntityInPeriods(refs, [
        { from, to },
        { from: previousFrom, to: previousTo },
      ]);
    const all = byChange(
      shares(current, previous, key => snapshot.entities.get(key)?.title),
      direction,
    );
    return {
      ...period,
      currency: this.options.currency,
      items: all.slice(page.offset, page.offset + page.limit),
      totalCount: all.length,
      nextCursor:
        page.offset + page.limit < all.length
          ? String(page.offset + page.limit)
          : undefined,
      demo: this.options.demo,
    };
  }

  /**
   * The parts of a product, each with its own parts' cost: a system's
   * components and resources, or a domain's systems, biggest first.
   */
  async productParts(
    snapshot: CostCatalogSnapshot,
    productRef: string,
    days: number,
  ): Promise<CostShare[]> {
    const parts = [...snapshot.entities.values()].filter(
      e => e.partOfRef === productRef,
    );
    const partOf = new Map<string, string>();
    for (const part of parts) {
      for (const ref of costRefsOf(snapshot, part.ref)) {
        partOf.set(ref, part.ref);
      }
    }
    const { from, to, previousFrom, previousTo } = await this.period(days);
    const totals = await this.stores.entities.totalsByEntityInPeriods(
      [...partOf.keys()],
      [
        { from, to },
        { from: previousFrom, to: previousTo },
      ],
    );
    const [current, previous] = totals.map(rows => {
      const byPart = new Map<string, number>();
      for (const row of rows) {
        const part = partOf.get(row.key)!;
        byPart.set(part, (byPart.get(part) ?? 0) + row.amount);
      }
      return [...byPart].map(([key, amount]) => ({ key, amount }));
    });
    return shares(current, previous, key => snapshot.entities.get(key)?.title);
  }

  /** The entities the owners of a group's subtree own, that the caller may see. */
  groupRefs(
    snapshot: CostCatalogSnapshot,
    groupRef: string,
    allowed: OwnerFilter,
  ): string[] {
    return this.ownedRefs(
      snapshot,
      snapshot.tree.withDescendants(groupRef),
      allowed,
    );
  }

  private async budgetStatus(
    groupRef: string,
    scope: CostScope,
    to: string,
  ): Promise<BudgetStatus | undefined> {
    const [budget] = await this.stores.budgets.getBudgets([
      groupRef.toLowerCase(),
    ]);
    if (!budget) return undefined;
    const month = to.slice(0, 7);
    const daily = await this.stores.rollups.dailyTotals(
      scope,
      forecastFrom(to),
      to,
    );
    const { actual, forecast } = monthForecast(daily, to);
    return {
      month,
      budget: round(budget.monthlyAmount),
      actual: round(actual),
      forecast: round(forecast),
    };
  }
}
