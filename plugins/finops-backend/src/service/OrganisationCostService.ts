/*
 * The finance group's views of the whole organisation: every department
 * and product month by month, the allocation of shared spend, and the
 * spend no catalog entity owns.
 */
import {
  AllocationResult,
  OrganisationCost,
  UnattributedSpend,
} from '@portal/plugin-finops-common';
import { monthsOf } from '../database/days';
import { FinopsStores } from '../database/types';
import { CostAllocator } from './CostAllocator';
import { CostCatalogSnapshot } from './CostCatalog';
import { CostService, CostServiceOptions } from './CostService';
import { monthStart, round } from './figures';

/** Builds the organisation's figures from the stores and the catalog. */
export class OrganisationCostService {
  private readonly allocator: CostAllocator;

  constructor(
    private readonly stores: FinopsStores,
    private readonly options: CostServiceOptions,
    /** The periods of the views, ending at the newest day with data. */
    private readonly costs: Pick<CostService, 'period'>,
  ) {
    this.allocator = new CostAllocator(stores, options.allocation);
  }

  /** How each allocation rule splits its shared spend over `days`. */
  async allocations(
    snapshot: CostCatalogSnapshot,
    days: number,
  ): Promise<{ from: string; to: string; items: AllocationResult[] }> {
    const { from, to } = await this.costs.period(days);
    return {
      from,
      to,
      items: await this.allocator.allocate(snapshot, from, to),
    };
  }

  /** The finance page: every department and product, month by month. */
  async organisationCost(
    snapshot: CostCatalogSnapshot,
    months: number,
  ): Promise<OrganisationCost> {
    const { to } = await this.costs.period(1);
    const from = monthStart(to, months - 1);
    const monthList = monthsOf(from, to);
    const index = new Map(monthList.map((m, i) => [m, i]));
    const rows = await this.stores.entities.monthlyByEntity(
      from,
      to.slice(0, 7),
    );
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
    const { from, to } = await this.costs.period(days);
    const rows = await this.stores.lines.unattributed(
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
