/** An amount for one day (YYYY-MM-DD) or month (YYYY-MM). */
export interface CostPoint {
  period: string;
  amount: number;
}

/** A share of a total: a cloud service, an entity, a sub-group. */
export interface CostShare {
  /** The service name, or an entity or group ref. */
  key: string;
  title?: string;
  amount: number;
  /** The same share in the previous period of the same length. */
  previous: number;
}

/** What the views show for one entity or one group over a period. */
export interface CostSummary {
  /** The entity or group. */
  ref: string;
  currency: string;
  /** First and last day of the period (inclusive). */
  from: string;
  to: string;
  total: number;
  /** The total of the period of the same length just before. */
  previousTotal: number;
  /**
   * Shared cost allocated to it by the allocation rules. Not in `total`,
   * which is what it owns directly: the shared spend stays with its owner
   * there, and allocation shows who consumes it.
   */
  allocated: number;
  daily: CostPoint[];
  /** The last 13 months, oldest first. */
  monthly: CostPoint[];
  /** By cloud service, biggest first. */
  byService: CostShare[];
  /** The first day whose figures the provider may still change. */
  estimatedFrom?: string;
  /** Whether the figures are the embedded demo data. */
  demo: boolean;
}

/** Spend against a group's monthly budget. */
export interface BudgetStatus {
  month: string;
  budget: number;
  /** Spent so far this month. */
  actual: number;
  /** Month-end forecast at the recent daily rate. */
  forecast: number;
}

/** The manager's view: a group and everything under it. */
export interface GroupCost extends CostSummary {
  /** Sub-groups (rolled up) and what the group owns itself. */
  byChild: CostShare[];
  /** The group's components, resources and systems, biggest first. */
  byEntity: CostShare[];
  /** Entities whose spend changed most against the previous period. */
  topMovers: CostShare[];
  budget?: BudgetStatus;
  alerts: CostAlert[];
  /** Shared costs allocated to the group (and below) by each rule. */
  allocations: CostShare[];
}

/** One allocation rule and how it split the shared spend in a period. */
export interface AllocationResult {
  name: string;
  method: 'even' | 'proportional';
  /** What the rule matches, in words. */
  matches: string;
  /** The shared spend the rule matched in the period. */
  amount: number;
  /** The recipients' shares, biggest first. */
  shares: CostShare[];
}

/** A daily spend far above an entity's own recent history, or a budget overrun. */
export interface CostAlert {
  id: string;
  kind: 'anomaly' | 'budget';
  /** The entity (anomaly) or group (budget). */
  ref: string;
  day: string;
  amount: number;
  /** What was expected: the recent average, or the budget. */
  expected: number;
  message: string;
  createdAt: string;
}

/** One import of billing data (a FOCUS file or a source's refresh). */
export interface ImportRun {
  id: string;
  source: string;
  status: 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string;
  rowsRead: number;
  rowsStored: number;
  from?: string;
  to?: string;
  apiCalls?: number;
  error?: string;
}

/** Where the data comes from: each source's last success and last failure. */
export interface SourceStatus {
  source: string;
  lastSuccess?: ImportRun;
  /** Set when the newest run failed: the views keep the last good data. */
  lastFailure?: ImportRun;
}

/** A series of monthly amounts for one department or product. */
export interface CostSeries {
  ref: string;
  title?: string;
  amounts: number[];
}

/** The finance page: cost by department and by product over time. */
export interface OrganisationCost {
  currency: string;
  months: string[];
  byDepartment: CostSeries[];
  byProduct: CostSeries[];
  /** Spend that no catalog entity owns, by month. */
  unattributed: number[];
  demo: boolean;
}

/** Spend that cannot be attributed, grouped so that someone can fix the tags. */
export interface UnattributedSpend {
  service: string;
  account: string;
  tagValue: string;
  /** untagged; a tag that is not an entity ref; an entity the catalog does not have. */
  reason: 'untagged' | 'not-an-entity-ref' | 'unknown-entity';
  amount: number;
}

/** A page of a list (cost lists come biggest first; one definition for every family). */
export type { Page } from '@portal/common';

/** A Reserved Instance or Savings Plan purchase the provider recommends. */
export interface Recommendation {
  source: string;
  kind: 'reserved-instances' | 'savings-plans';
  description: string;
  service: string;
  term: string;
  paymentOption: string;
  estimatedMonthlySavings: number;
  upfrontCost: number;
  currency: string;
  fetchedAt: string;
}

/** One of the signed-in person's teams, for the home page. */
export interface TeamCostSummary {
  groupRef: string;
  title: string;
  /** The last 30 days, and the 30 before. */
  total: number;
  previousTotal: number;
  currency: string;
  budget?: BudgetStatus;
  /** The two most recent cost alerts of the team. */
  alerts: CostAlert[];
}

/** `GET /me/summary`: the cost of each team the person is in, in one call. */
export interface MyCostSummary {
  items: TeamCostSummary[];
}
