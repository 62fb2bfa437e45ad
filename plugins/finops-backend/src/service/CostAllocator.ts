/*
 * Shared spend (an entity's, or unattributed spend on a service) split
 * across groups by the allocation rules of the configuration.
 */
import { AllocationResult } from '@portal/plugin-finops-common';
import { AmountByKey, FinopsStores } from '../database/types';
import { CostCatalogSnapshot } from './CostCatalog';
import { round, sum, toMap } from './figures';
import { AllocationRule } from './options';

/** Applies the allocation rules to a period's spend. */
export class CostAllocator {
  constructor(
    private readonly stores: FinopsStores,
    private readonly rules: AllocationRule[] = [],
  ) {}

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
    const rules = this.rules;
    if (rules.length === 0) return [];
    const byOwner = toMap(
      ownerTotals ?? (await this.stores.rollups.totalsByOwner(from, to)),
    );
    const unattributed = toMap(
      await this.stores.rollups.totalsByService({ ownerRefs: [''] }, from, to),
    );
    const direct = (group: string) =>
      snapshot.tree
        .withDescendants(group)
        .reduce((t, owner) => t + (byOwner.get(owner) ?? 0), 0);
    const results: AllocationResult[] = [];
    for (const rule of rules) {
      const amount = rule.entityRef
        ? sum(
            await this.stores.entities.totalsByEntity(
              [rule.entityRef],
              from,
              to,
            ),
          )
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
}
