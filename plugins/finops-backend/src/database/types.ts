/*
 * The shapes the FinOps stores take and give, and the stores themselves.
 */
import { CostRow } from '@portal/plugin-finops-node';
import type { AlertStore } from './AlertStore';
import type { BudgetStore } from './BudgetStore';
import type { CostLineStore } from './CostLineStore';
import type { EntityCostStore } from './EntityCostStore';
import type { ImportRunStore } from './ImportRunStore';
import type { RecommendationStore } from './RecommendationStore';
import type { RollupStore } from './RollupStore';

/** A cost row with the entity ref its tag names, when it names one. */
export interface AttributedRow extends CostRow {
  entityRef?: string;
}

/**
 * Which cost a query reads: some entities' (an entity tab: the entity and
 * its parts), some owners' (a group tab: the owners of the subtree the
 * caller may see), read from the owner roll-ups, or a whole group's
 * subtree (a group tab whose caller may see all of it), read from the
 * group roll-ups.
 */
export type CostScope =
  | { entityRefs: string[] }
  | { ownerRefs: string[] }
  | { groupRef: string };

export interface AmountByKey {
  key: string;
  amount: number;
}

export interface UnattributedRow {
  service: string;
  account: string;
  tagValue: string;
  entityRef: string | null;
  amount: number;
}

export interface Budget {
  groupRef: string;
  monthlyAmount: number;
  currency: string;
  updatedBy: string;
  updatedAt: Date;
}

export interface StoredAlert {
  id: string;
  kind: 'anomaly' | 'budget';
  ref: string;
  ownerRef: string;
  day: string;
  amount: number;
  expected: number;
  message: string;
  createdAt: Date;
}

/** The FinOps stores, one per aggregate, on one knex client. */
export interface FinopsStores {
  /** Cost lines by source and day, and the days pulled sources fetched. */
  lines: CostLineStore;
  /** The log of import runs. */
  imports: ImportRunStore;
  /** Ownership, and cost by owner, group or entities from the roll-ups. */
  rollups: RollupStore;
  /** Cost per entity from the entity roll-ups. */
  entities: EntityCostStore;
  /** Each group's monthly budget. */
  budgets: BudgetStore;
  /** Anomaly and budget alerts. */
  alerts: AlertStore;
  /** Purchase recommendations of the pulled sources. */
  recommendations: RecommendationStore;
}
