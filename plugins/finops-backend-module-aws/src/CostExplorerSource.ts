import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostAndUsageCommandOutput,
  GetReservationPurchaseRecommendationCommand,
  GetReservationPurchaseRecommendationCommandOutput,
  GetSavingsPlansPurchaseRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommandOutput,
} from '@aws-sdk/client-cost-explorer';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  CostRow,
  CostSource,
  CostSourceContext,
  PurchaseRecommendation,
} from '@portal/plugin-finops-node';

/** The cost metrics Cost Explorer reports. */
export const COST_METRICS = [
  'UnblendedCost',
  'AmortizedCost',
  'NetAmortizedCost',
  'NetUnblendedCost',
  'BlendedCost',
] as const;
export type CostMetric = (typeof COST_METRICS)[number];

export interface CostExplorerOptions {
  metric: CostMetric;
  /** Recent days asked for again on every refresh: AWS still changes them. */
  refreshDays: number;
  /** How far back the first run goes, in months (Cost Explorer keeps 14). */
  backfillMonths: number;
  /** Attempts per call when AWS throttles or fails. */
  maxAttempts: number;
  /** Days fetched less than this long ago are not asked for again. */
  minRefetchHours: number;
}

/** Errors worth another attempt: throttling and AWS-side failures. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'LimitExceededException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailableException',
  'InternalServerError',
]);

/** Services whose steady usage Reserved Instances can cover. */
const RESERVABLE_SERVICES = [
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Relational Database Service',
];

const DAY_MS = 86_400_000;
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);
const addDays = (day: string, n: number) =>
  dayOf(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);

/**
 * Daily cost from AWS Cost Explorer, grouped by the cost-allocation tag and
 * by service. Each GetCostAndUsage call costs money, so a refresh asks only
 * for the days that can still change: the last `refreshDays`, days AWS
 * marked estimated, and days never fetched (on the first run, the backfill).
 */
export class CostExplorerSource implements CostSource {
  readonly id = 'aws-ce';
  readonly description = 'AWS Cost Explorer (GetCostAndUsage, daily)';

  constructor(
    private readonly client: Pick<CostExplorerClient, 'send'>,
    private readonly options: CostExplorerOptions,
    private readonly logger: LoggerService,
    private readonly sleep: (ms: number) => Promise<void> = ms =>
      new Promise(resolve => setTimeout(resolve, ms)),
    private readonly now: () => Date = () => new Date(),
  ) {}

  private today() {
    return this.now().toISOString().slice(0, 10);
  }

  /** The first day to ask for: after it, nothing stored can have changed. */
  async firstDayToFetch(context: CostSourceContext): Promise<string> {
    const today = this.today();
    const stored = await context.storedDays();
    if (stored.length === 0) {
      const start = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
      start.setUTCMonth(start.getUTCMonth() - this.options.backfillMonths);
      return dayOf(start.getTime());
    }
    const candidates = [addDays(today, -this.options.refreshDays)];
    const lastStored = stored[stored.length - 1].day;
    candidates.push(addDays(lastStored, 1));
    const firstEstimated = stored.find(d => d.estimated)?.day;
    if (firstEstimated) candidates.push(firstEstimated);
    let start = candidates.sort()[0];
    // Days fetched a moment ago cannot have changed: start after them.
    const fresh = new Set(
      stored
        .filter(
          d =>
            this.now().getTime() - d.fetchedAt.getTime() <
            this.options.minRefetchHours * 3_600_000,
        )
        .map(d => d.day),
    );
    while (fresh.has(start) && start <= today) {
      start = addDays(start, 1);
    }
    return start;
  }

  async refresh(context: CostSourceContext): Promise<void> {
    const start = await this.firstDayToFetch(context);
    // Cost Explorer's end date is exclusive: up to and including yesterday,
    // plus today's partial (estimated) figures.
    const end = addDays(this.today(), 1);
    if (start >= end) return;
    const rows: CostRow[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(context, token, start, end);
      rows.push(...this.rowsOf(page, context.tagKey));
      token = page.NextPageToken;
    } while (token);
    await context.replaceDays(start, addDays(end, -1), rows);
  }

  private async call(
    context: CostSourceContext,
    token: string | undefined,
    start: string,
    end: string,
  ): Promise<GetCostAndUsageCommandOutput> {
    const command = new GetCostAndUsageCommand({
      TimePeriod: { Start: start, End: end },
      Granularity: 'DAILY',
      Metrics: [this.options.metric],
      GroupBy: [
        { Type: 'TAG', Key: context.tagKey },
        { Type: 'DIMENSION', Key: 'SERVICE' },
      ],
      NextPageToken: token,
    });
    return this.send(context, () => this.client.send(command));
  }

  /** Sends a command, counting it, with backoff while AWS throttles. */
  private async send<T>(
    context: CostSourceContext,
    request: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      context.countApiCall();
      try {
        return await request();
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (!RETRYABLE.has(name) || attempt >= this.options.maxAttempts) {
          throw error;
        }
        const delay = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        this.logger.warn(
          `Cost Explorer answered ${name}; trying again in ${delay} ms (attempt ${
            attempt + 1
          } of ${this.options.maxAttempts})`,
        );
        await this.sleep(delay);
      }
    }
  }

  /**
   * Reserved Instance recommendations for EC2 and RDS, and a Compute Savings
   * Plan recommendation, from the last 60 days of usage (1 year, no
   * upfront), biggest monthly saving first.
   */
  async recommendations(
    context: CostSourceContext,
  ): Promise<PurchaseRecommendation[]> {
    const found: PurchaseRecommendation[] = [];
    for (const service of RESERVABLE_SERVICES) {
      let token: string | undefined;
      do {
        const command = new GetReservationPurchaseRecommendationCommand({
          Service: service,
          LookbackPeriodInDays: 'SIXTY_DAYS',
          TermInYears: 'ONE_YEAR',
          PaymentOption: 'NO_UPFRONT',
          NextPageToken: token,
        });
        const page: GetReservationPurchaseRecommendationCommandOutput =
          await this.send(context, () => this.client.send(command));
        for (const recommendation of page.Recommendations ?? []) {
          for (const detail of recommendation.RecommendationDetails ?? []) {
            const instance = Object.values(detail.InstanceDetails ?? {}).find(
              Boolean,
            ) as
              | {
                  InstanceType?: string;
                  NodeType?: string;
                  Region?: string;
                  Platform?: string;
                  DatabaseEngine?: string;
                }
              | undefined;
            found.push({
              kind: 'reserved-instances',
              description: [
                `${detail.RecommendedNumberOfInstancesToPurchase ?? '?'} x ${
                  instance?.InstanceType ?? instance?.NodeType ?? 'instance'
                }`,
                instance?.Region,
                instance?.Platform ?? instance?.DatabaseEngine,
              ]
                .filter(Boolean)
                .join(', '),
              service,
              term: recommendation.TermInYears ?? 'ONE_YEAR',
              paymentOption: recommendation.PaymentOption ?? 'NO_UPFRONT',
              estimatedMonthlySavings: Number(
                detail.EstimatedMonthlySavingsAmount ?? 0,
              ),
              upfrontCost: Number(detail.UpfrontCost ?? 0),
              currency: detail.CurrencyCode ?? 'USD',
            });
          }
        }
        token = page.NextPageToken;
      } while (token);
    }
    let token: string | undefined;
    do {
      const command = new GetSavingsPlansPurchaseRecommendationCommand({
        SavingsPlansType: 'COMPUTE_SP',
        TermInYears: 'ONE_YEAR',
        PaymentOption: 'NO_UPFRONT',
        LookbackPeriodInDays: 'SIXTY_DAYS',
        NextPageToken: token,
      });
      const page: GetSavingsPlansPurchaseRecommendationCommandOutput =
        await this.send(context, () => this.client.send(command));
      const plan = page.SavingsPlansPurchaseRecommendation;
      for (const detail of plan?.SavingsPlansPurchaseRecommendationDetails ??
        []) {
        found.push({
          kind: 'savings-plans',
          description: `Commit ${detail.HourlyCommitmentToPurchase ?? '?'} ${
            detail.CurrencyCode ?? 'USD'
          } an hour${
            detail.EstimatedSavingsPercentage
              ? ` (saves ${Number(detail.EstimatedSavingsPercentage).toFixed(
                  0,
                )}%)`
              : ''
          }`,
          service: 'Compute Savings Plans',
          term: plan?.TermInYears ?? 'ONE_YEAR',
          paymentOption: plan?.PaymentOption ?? 'NO_UPFRONT',
          estimatedMonthlySavings: Number(
            detail.EstimatedMonthlySavingsAmount ?? 0,
          ),
          upfrontCost: Number(detail.UpfrontCost ?? 0),
          currency: detail.CurrencyCode ?? 'USD',
        });
      }
      token = page.NextPageToken;
    } while (token);
    return found
      .filter(r => r.estimatedMonthlySavings > 0)
      .sort((a, b) => b.estimatedMonthlySavings - a.estimatedMonthlySavings);
  }

  /** One row per day, tag value and service of a response page. */
  rowsOf(page: GetCostAndUsageCommandOutput, tagKey: string): CostRow[] {
    const rows: CostRow[] = [];
    for (const result of page.ResultsByTime ?? []) {
      const day = result.TimePeriod?.Start;
      if (!day) continue;
      for (const group of result.Groups ?? []) {
        const metric = group.Metrics?.[this.options.metric];
        const amount = Number(metric?.Amount ?? 0);
        if (!Number.isFinite(amount) || amount === 0) continue;
        const [tagKeyed = '', service = 'Unknown service'] = group.Keys ?? [];
        // A TAG group key is "<key>$<value>"; an untagged line has "<key>$".
        const tagValue = tagKeyed.startsWith(`${tagKey}$`)
          ? tagKeyed.slice(tagKey.length + 1)
          : tagKeyed.replace(/^[^$]*\$/, '');
        rows.push({
          day,
          tagValue,
          service,
          amount,
          currency: metric?.Unit ?? 'USD',
          estimated: !!result.Estimated,
        });
      }
    }
    return rows;
  }
}
