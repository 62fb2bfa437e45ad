/*
 * Each group's monthly budget (finops_budgets), one per group.
 */
import { Knex } from 'knex';
import { BUDGETS, toDate } from './tables';
import { Budget } from './types';

/** The budgets, set and removed by the finance group. */
export class BudgetStore {
  constructor(private readonly knex: Knex) {}

  async getBudgets(groupRefs?: string[]): Promise<Budget[]> {
    const query = this.knex(BUDGETS);
    if (groupRefs) query.whereIn('group_ref', groupRefs);
    const rows = await query;
    return rows.map(r => ({
      groupRef: r.group_ref,
      monthlyAmount: Number(r.monthly_amount),
      currency: r.currency,
      updatedBy: r.updated_by,
      updatedAt: toDate(r.updated_at),
    }));
  }

  async setBudget(budget: Budget): Promise<void> {
    await this.knex(BUDGETS)
      .insert({
        group_ref: budget.groupRef,
        monthly_amount: budget.monthlyAmount,
        currency: budget.currency,
        updated_by: budget.updatedBy,
        updated_at: budget.updatedAt,
      })
      .onConflict('group_ref')
      .merge();
  }

  async deleteBudget(groupRef: string): Promise<boolean> {
    return (await this.knex(BUDGETS).where('group_ref', groupRef).delete()) > 0;
  }
}
