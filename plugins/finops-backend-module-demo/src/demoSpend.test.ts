import { demoCostRows, demoStartDay } from './demoSpend';

const entities = [
  { ref: 'component:default/payments-api', kind: 'component' },
  { ref: 'resource:default/orders-db', kind: 'resource' },
];

describe('the demo year of spend', () => {
  const rows = [
    ...demoCostRows({
      entities,
      endDay: '2026-10-31',
      days: 60,
      currency: 'USD',
    }),
  ];

  it('covers every day up to the end day, in the currency asked', () => {
    const days = [...new Set(rows.map(r => r.day))].sort();
    expect(days).toHaveLength(60);
    expect(days[0]).toBe('2026-09-02');
    expect(demoStartDay({ endDay: '2026-10-31', days: 60 })).toBe('2026-09-02');
    expect(days[59]).toBe('2026-10-31');
    expect(new Set(rows.map(r => r.currency))).toEqual(new Set(['USD']));
  });

  it('has what real bills have: untagged spend, a tag that is no entity ref, an entity the catalog lacks, credits', () => {
    expect(new Set(rows.map(r => r.tagValue))).toEqual(
      new Set([
        'component:default/payments-api',
        'resource:default/orders-db',
        '',
        'payments',
        'component:default/legacy-billing',
      ]),
    );
    const credits = rows.filter(r => r.chargeCategory === 'Credit');
    expect(credits.map(r => r.day)).toEqual(['2026-10-01']);
    expect(credits[0].amount).toBe(-120);
  });

  it("spikes the costliest component's first service in the last two days (the anomaly)", () => {
    const payments = (day: string) =>
      rows.filter(
        r =>
          r.day === day &&
          r.tagValue === 'component:default/payments-api' &&
          r.service === 'Amazon Elastic Compute Cloud - Compute',
      )[0].amount;
    expect(payments('2026-10-30') / payments('2026-10-29')).toBeGreaterThan(3);
  });

  it('is the same for the same catalog and end day', () => {
    expect([
      ...demoCostRows({
        entities,
        endDay: '2026-10-31',
        days: 60,
        currency: 'USD',
      }),
    ]).toEqual(rows);
  });
});
