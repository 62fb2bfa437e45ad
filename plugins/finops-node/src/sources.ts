import { createExtensionPoint } from '@backstage/backend-plugin-api';

/**
 * One line of cost as a source reports it: a day's amount for one value of
 * the cost-allocation tag, one cloud service and one account. Sources sum
 * their raw lines to this grain.
 */
export interface CostRow {
  /** The day, YYYY-MM-DD (UTC). */
  day: string;
  /**
   * The value of the cost-allocation tag (the owning entity's ref, as the
   * golden-path IaC stamps it); empty or undefined when the spend is not
   * tagged.
   */
  tagValue?: string;
  /** The cloud service ("Amazon Elastic Compute Cloud - Compute"). */
  service: string;
  /** The account or subscription, when known. */
  account?: string;
  /** FOCUS ChargeCategory: Usage, Purchase, Tax, Credit, Adjustment. */
  chargeCategory?: string;
  amount: number;
  /** ISO 4217 code. */
  currency: string;
  /** Whether the provider may still change the figure. */
  estimated?: boolean;
}

/** A day a source has already stored, and how. */
export interface StoredDay {
  day: string;
  estimated: boolean;
  fetchedAt: Date;
}

/** What a cost source is given on each refresh. */
export interface CostSourceContext {
  /** The cost-allocation tag key (finops.costAllocationTag). */
  tagKey: string;
  /** The days this source has stored so far. */
  storedDays(): Promise<StoredDay[]>;
  /**
   * Replaces this source's rows for the days from `from` to `to` (inclusive)
   * with the given rows, in one transaction.
   */
  replaceDays(from: string, to: string, rows: CostRow[]): Promise<void>;
  /** Counts a paid API call, for the logs and the status view. */
  countApiCall(): void;
}

/**
 * A purchase that would lower the bill for steady usage: Reserved Instances
 * or a Savings Plan, with the provider's estimate.
 */
export interface PurchaseRecommendation {
  kind: 'reserved-instances' | 'savings-plans';
  /** What to buy, in words ("3 x m5.large, eu-west-1, Linux/UNIX"). */
  description: string;
  /** The service or plan type ("Amazon EC2", "Compute Savings Plans"). */
  service: string;
  /** "ONE_YEAR" or "THREE_YEARS". */
  term: string;
  /** "NO_UPFRONT", "PARTIAL_UPFRONT", "ALL_UPFRONT". */
  paymentOption: string;
  estimatedMonthlySavings: number;
  upfrontCost: number;
  currency: string;
}

/**
 * A cloud billing source pulled on a schedule (AWS Cost Explorer, …). File
 * imports (FOCUS) do not need one.
 */
export interface CostSource {
  /** Unique id, stored with the rows ("aws-ce"). */
  id: string;
  /** What it is, for the status view. */
  description: string;
  /**
   * Whether its figures are generated demo data, not a bill (the embedded
   * default's demo module): the views say so.
   */
  demo?: boolean;
  /** Pulls what changed since the last refresh. */
  refresh(context: CostSourceContext): Promise<void>;
  /**
   * The provider's purchase recommendations, read after each refresh and
   * shown to finance (optional).
   */
  recommendations?(
    context: CostSourceContext,
  ): Promise<PurchaseRecommendation[]>;
}

/** Where modules add cost sources. */
export interface FinopsCostSourcesExtensionPoint {
  addCostSource(source: CostSource): void;
}

export const finopsCostSourcesExtensionPoint =
  createExtensionPoint<FinopsCostSourcesExtensionPoint>({
    id: 'finops.cost-sources',
  });
