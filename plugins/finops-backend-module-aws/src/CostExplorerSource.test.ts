import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  GetCostAndUsageCommandOutput,
  GetReservationPurchaseRecommendationCommand,
  GetSavingsPlansPurchaseRecommendationCommand,
} from '@aws-sdk/client-cost-explorer';
import { mockServices } from '@backstage/backend-test-utils';
import {
  CostRow,
  CostSourceContext,
  StoredDay,
} from '@portal/plugin-finops-node';
import { mockClient } from 'aws-sdk-client-mock';
import fs from 'node:fs';
import path from 'node:path';
import { CostExplorerSource } from './CostExplorerSource';

// A real GetCostAndUsage response (DAILY, grouped by the tag CreatedBy,
// BlendedCost): see fixtures/SOURCES.md.
const FIXTURE: GetCostAndUsageCommandOutput = JSON.parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../fixtures/aws-ce/sw-billing-get-cost-and-usage-daily-groupby-tag-createdby.json',
    ),
    'utf8',
  ),
);

function context(stored: StoredDay[] = []) {
  const calls = { api: 0, replaced: [] as Array<[string, string, CostRow[]]> };
  const ctx: CostSourceContext = {
    tagKey: 'CreatedBy',
    storedDays: async () => stored,
    replaceDays: async (from, to, rows) => {
      calls.replaced.push([from, to, rows]);
    },
    countApiCall: () => {
      calls.api++;
    },
  };
  return { ctx, calls };
}

describe('CostExplorerSource', () => {
  const ce = mockClient(CostExplorerClient);
  const sleeps: number[] = [];
  const source = new CostExplorerSource(
    new CostExplorerClient({ region: 'us-east-1' }),
    {
      metric: 'BlendedCost',
      refreshDays: 3,
      backfillMonths: 13,
      maxAttempts: 4,
      minRefetchHours: 5,
    },
    mockServices.logger.mock(),
    async ms => {
      sleeps.push(ms);
    },
    () => new Date('2024-01-11T12:00:00Z'),
  );

  beforeEach(() => {
    ce.reset();
    sleeps.length = 0;
  });

  it('backfills 13 months on the first run, following NextPageToken', async () => {
    const half = Math.floor(FIXTURE.ResultsByTime!.length / 2);
    ce.on(GetCostAndUsageCommand)
      .resolvesOnce({
        ...FIXTURE,
        ResultsByTime: FIXTURE.ResultsByTime!.slice(0, half),
        NextPageToken: 'page-2',
      })
      .resolvesOnce({
        ...FIXTURE,
        ResultsByTime: FIXTURE.ResultsByTime!.slice(half),
      });
    const { ctx, calls } = context();
    await source.refresh(ctx);

    const sent = ce
      .commandCalls(GetCostAndUsageCommand)
      .map(c => c.args[0].input);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({
      TimePeriod: { Start: '2022-12-01', End: '2024-01-12' },
      Granularity: 'DAILY',
      Metrics: ['BlendedCost'],
      GroupBy: [
        { Type: 'TAG', Key: 'CreatedBy' },
        { Type: 'DIMENSION', Key: 'SERVICE' },
      ],
    });
    expect(sent[1].NextPageToken).toBe('page-2');
    expect(calls.api).toBe(2);

    const [[from, to, rows]] = calls.replaced;
    expect([from, to]).toEqual(['2022-12-01', '2024-01-11']);
    // Every group of the response with a non-zero amount, once.
    const expected = FIXTURE.ResultsByTime!.flatMap(r =>
      (r.Groups ?? []).filter(g => Number(g.Metrics!.BlendedCost.Amount) !== 0),
    );
    expect(rows).toHaveLength(expected.length);
    expect(rows[0]).toEqual({
      day: '2023-12-12',
      tagValue: 'user-1',
      service: 'Unknown service',
      amount: 0.208,
      currency: 'USD',
      estimated: false,
    });
    const total = rows.reduce((t, r) => t + r.amount, 0);
    const fixtureTotal = expected.reduce(
      (t, g) => t + Number(g.Metrics!.BlendedCost.Amount),
      0,
    );
    expect(total).toBeCloseTo(fixtureTotal, 6);
    expect(rows.some(r => r.estimated)).toBe(true);
    expect(
      rows.filter(r => r.estimated).every(r => r.day >= '2024-01-01'),
    ).toBe(true);
  });

  it('asks again only for recent and estimated days', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    const fetchedAt = new Date('2024-01-10T06:00:00Z');
    const { ctx } = context([
      { day: '2023-12-30', estimated: false, fetchedAt },
      { day: '2024-01-05', estimated: true, fetchedAt },
      { day: '2024-01-10', estimated: true, fetchedAt },
    ]);
    await source.refresh(ctx);
    const [call] = ce.commandCalls(GetCostAndUsageCommand);
    expect(call.args[0].input.TimePeriod).toEqual({
      Start: '2024-01-05',
      End: '2024-01-12',
    });
  });

  it('never asks twice for a period that cannot have changed', async () => {
    ce.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });
    // Everything up to today was fetched two hours ago.
    const fetchedAt = new Date('2024-01-11T10:00:00Z');
    const { ctx, calls } = context(
      ['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11'].map(day => ({
        day,
        estimated: true,
        fetchedAt,
      })),
    );
    await source.refresh(ctx);
    expect(calls.api).toBe(0);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(0);

    // Once they are older than minRefetchHours, the recent days are asked for.
    const { ctx: later } = context(
      ['2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11'].map(day => ({
        day,
        estimated: true,
        fetchedAt: new Date('2024-01-11T06:00:00Z'),
      })),
    );
    await source.refresh(later);
    expect(
      ce.commandCalls(GetCostAndUsageCommand)[0].args[0].input.TimePeriod,
    ).toEqual({ Start: '2024-01-08', End: '2024-01-12' });
  });

  it('retries throttling with backoff, counting every call', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
    });
    ce.on(GetCostAndUsageCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({ ResultsByTime: [] });
    const { ctx, calls } = context();
    await source.refresh(ctx);
    expect(sleeps).toEqual([1000, 2000]);
    expect(calls.api).toBe(3);
    expect(calls.replaced).toHaveLength(1);
  });

  it('gives up on other errors and stores nothing', async () => {
    ce.on(GetCostAndUsageCommand).rejects(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDeniedException',
      }),
    );
    const { ctx, calls } = context();
    await expect(source.refresh(ctx)).rejects.toThrow(/not authorized/);
    expect(calls.api).toBe(1);
    expect(calls.replaced).toHaveLength(0);
  });

  it('gives up after the last attempt', async () => {
    ce.on(GetCostAndUsageCommand).rejects(
      Object.assign(new Error('slow down'), { name: 'ThrottlingException' }),
    );
    const { ctx, calls } = context();
    await expect(source.refresh(ctx)).rejects.toThrow(/slow down/);
    expect(calls.api).toBe(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('reads tag values and services from two-key groups', () => {
    const rows = source.rowsOf(
      {
        $metadata: {},
        ResultsByTime: [
          {
            TimePeriod: { Start: '2024-01-02', End: '2024-01-03' },
            Estimated: true,
            Groups: [
              {
                Keys: [
                  'CreatedBy$component:default/payments-api',
                  'Amazon EC2',
                ],
                Metrics: { BlendedCost: { Amount: '12.5', Unit: 'USD' } },
              },
              {
                Keys: ['CreatedBy$', 'AWS Support'],
                Metrics: { BlendedCost: { Amount: '3', Unit: 'USD' } },
              },
              {
                Keys: ['CreatedBy$x', 'Tax'],
                Metrics: { BlendedCost: { Amount: 'NaN', Unit: 'USD' } },
              },
            ],
          },
        ],
      },
      'CreatedBy',
    );
    expect(rows).toEqual([
      {
        day: '2024-01-02',
        tagValue: 'component:default/payments-api',
        service: 'Amazon EC2',
        amount: 12.5,
        currency: 'USD',
        estimated: true,
      },
      {
        day: '2024-01-02',
        tagValue: '',
        service: 'AWS Support',
        amount: 3,
        currency: 'USD',
        estimated: true,
      },
    ]);
  });

  it('reads Reserved Instance and Savings Plans recommendations, biggest saving first', async () => {
    ce.on(GetReservationPurchaseRecommendationCommand, {
      Service: 'Amazon Elastic Compute Cloud - Compute',
    })
      .resolvesOnce({
        Recommendations: [
          {
            TermInYears: 'ONE_YEAR',
            PaymentOption: 'NO_UPFRONT',
            RecommendationDetails: [
              {
                InstanceDetails: {
                  EC2InstanceDetails: {
                    InstanceType: 'm5.large',
                    Region: 'eu-west-1',
                    Platform: 'Linux/UNIX',
                  },
                },
                RecommendedNumberOfInstancesToPurchase: '3',
                EstimatedMonthlySavingsAmount: '61.32',
                UpfrontCost: '0',
                CurrencyCode: 'USD',
              },
            ],
          },
        ],
        NextPageToken: 'more',
      })
      .resolvesOnce({
        Recommendations: [
          {
            RecommendationDetails: [
              {
                InstanceDetails: {
                  EC2InstanceDetails: { InstanceType: 't3.micro' },
                },
                RecommendedNumberOfInstancesToPurchase: '1',
                EstimatedMonthlySavingsAmount: '0',
              },
            ],
          },
        ],
      });
    ce.on(GetReservationPurchaseRecommendationCommand, {
      Service: 'Amazon Relational Database Service',
    }).resolves({
      Recommendations: [
        {
          RecommendationDetails: [
            {
              InstanceDetails: {
                RDSInstanceDetails: {
                  InstanceType: 'db.r6g.large',
                  Region: 'eu-west-1',
                  DatabaseEngine: 'PostgreSQL',
                },
              },
              RecommendedNumberOfInstancesToPurchase: '2',
              EstimatedMonthlySavingsAmount: '140.5',
              UpfrontCost: '0',
              CurrencyCode: 'USD',
            },
          ],
        },
      ],
    });
    ce.on(GetSavingsPlansPurchaseRecommendationCommand).resolves({
      SavingsPlansPurchaseRecommendation: {
        TermInYears: 'ONE_YEAR',
        PaymentOption: 'NO_UPFRONT',
        SavingsPlansPurchaseRecommendationDetails: [
          {
            HourlyCommitmentToPurchase: '1.25',
            EstimatedMonthlySavingsAmount: '98.1',
            EstimatedSavingsPercentage: '17.4',
            UpfrontCost: '0',
            CurrencyCode: 'USD',
          },
        ],
      },
    });
    const { ctx, calls } = context();
    const found = await source.recommendations(ctx);
    expect(
      found.map(r => [r.kind, r.description, r.estimatedMonthlySavings]),
    ).toEqual([
      ['reserved-instances', '2 x db.r6g.large, eu-west-1, PostgreSQL', 140.5],
      ['savings-plans', 'Commit 1.25 USD an hour (saves 17%)', 98.1],
      ['reserved-instances', '3 x m5.large, eu-west-1, Linux/UNIX', 61.32],
    ]);
    expect(found[0]).toMatchObject({
      service: 'Amazon Relational Database Service',
      term: 'ONE_YEAR',
      paymentOption: 'NO_UPFRONT',
      upfrontCost: 0,
      currency: 'USD',
    });
    // Two pages of EC2, one of RDS, one of Savings Plans.
    expect(calls.api).toBe(4);
    expect(
      ce.commandCalls(GetReservationPurchaseRecommendationCommand)[0].args[0]
        .input,
    ).toMatchObject({
      LookbackPeriodInDays: 'SIXTY_DAYS',
      TermInYears: 'ONE_YEAR',
      PaymentOption: 'NO_UPFRONT',
    });
  });
});
