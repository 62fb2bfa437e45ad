import { InputError } from '@backstage/errors';
import { Readable } from 'node:stream';
import {
  entityRefOfTag,
  FocusOptions,
  readFocusCsv,
  streamFocusCsv,
} from './focus';

const OPTIONS: FocusOptions = {
  tagKey: 'portal-entity-ref',
  costColumn: 'EffectiveCost',
  currency: 'USD',
  maxRows: 1000,
};

// The columns of a FOCUS 1.0 export, in the order AWS writes some of them.
const HEADER =
  'BillingAccountId,SubAccountId,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,BilledCost,EffectiveCost,BillingCurrency,Tags';

function csv(...lines: string[]) {
  return Readable.from([`${HEADER}\n${lines.join('\n')}\n`]);
}

function line(options: {
  day?: string;
  service?: string;
  cost?: string;
  currency?: string;
  category?: string;
  tags?: string;
  account?: string;
}) {
  const tags = options.tags ?? '';
  return [
    '111122223333',
    options.account ?? '444455556666',
    `${options.day ?? '2026-10-01'}T00:00:00Z`,
    `${options.day ?? '2026-10-01'}T01:00:00Z`,
    options.category ?? 'Usage',
    options.service ?? 'Amazon Elastic Compute Cloud - Compute',
    options.cost ?? '1.5',
    options.cost ?? '1.5',
    options.currency ?? 'USD',
    tags ? `"${tags.replace(/"/g, '""')}"` : '',
  ].join(',');
}

async function errorOf(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('readFocusCsv', () => {
  it('sums the hours of a day to one row per tag, service and account', async () => {
    const tag = JSON.stringify({
      'portal-entity-ref': 'component:default/payments-api',
    });
    const awsTag = JSON.stringify({
      'user:portal-entity-ref': 'Resource:default/orders-db',
      team: 'x',
    });
    const result = await readFocusCsv(
      csv(
        line({ tags: tag, cost: '1.25' }),
        line({ tags: tag, cost: '2.5' }),
        line({ tags: tag, cost: '4', day: '2026-10-02' }),
        line({ tags: awsTag, cost: '10', service: 'Amazon RDS' }),
        line({ cost: '3', service: 'AWS Support' }),
        line({ cost: '-2', category: 'Credit', service: 'AWS Support' }),
      ),
      OPTIONS,
    );
    expect(result.rowsRead).toBe(6);
    expect(result.from).toBe('2026-10-01');
    expect(result.to).toBe('2026-10-02');
    const byKey = (day: string, service: string, category = 'Usage') =>
      result.rows.find(
        r =>
          r.day === day &&
          r.service === service &&
          r.chargeCategory === category,
      );
    expect(
      byKey('2026-10-01', 'Amazon Elastic Compute Cloud - Compute'),
    ).toMatchObject({
      amount: 3.75,
      entityRef: 'component:default/payments-api',
      account: '444455556666',
      currency: 'USD',
    });
    expect(byKey('2026-10-01', 'Amazon RDS')).toMatchObject({
      tagValue: 'Resource:default/orders-db',
      entityRef: 'resource:default/orders-db',
    });
    expect(byKey('2026-10-01', 'AWS Support')).toMatchObject({
      tagValue: '',
      entityRef: undefined,
      amount: 3,
    });
    expect(byKey('2026-10-01', 'AWS Support', 'Credit')?.amount).toBe(-2);
    expect(result.rows).toHaveLength(5);
  });

  it('reads the configured cost column', async () => {
    const text = `${HEADER}\n${line({ cost: '5' }).replace(
      ',5,5,',
      ',7,5,',
    )}\n`;
    const billed = await readFocusCsv(Readable.from([text]), {
      ...OPTIONS,
      costColumn: 'BilledCost',
    });
    expect(billed.rows[0].amount).toBe(7);
  });

  it.each([
    [
      'a missing column',
      Readable.from(['ChargePeriodStart,ServiceName\n2026-10-01,EC2\n']),
      /has no BillingCurrency, EffectiveCost column; its columns are ChargePeriodStart, ServiceName/,
    ],
    [
      'a non-numeric amount',
      csv(line({ cost: 'abc' })),
      /line 2: EffectiveCost "abc" is not a number/,
    ],
    [
      'a negative usage charge',
      csv(line({}), line({ cost: '-3' })),
      /line 3: EffectiveCost is negative \(-3\) on a Usage charge/,
    ],
    [
      'an unknown currency',
      csv(line({ currency: 'XYZ1' })),
      /"XYZ1" is not an ISO 4217/,
    ],
    [
      'another currency',
      csv(line({ currency: 'EUR' })),
      /BillingCurrency is EUR but the portal reports in USD/,
    ],
    [
      'a bad date',
      csv(line({ day: 'yesterday' })),
      /ChargePeriodStart "yesterdayT00:00:00Z" is not a date-time/,
    ],
    [
      'Tags that are not JSON',
      csv(line({ tags: '{team=x}' })),
      /line 2: Tags is not a JSON object/,
    ],
    [
      'a line with too many fields',
      csv(`${line({})},extra`),
      /not valid CSV: .*(line 2|record 1)/i,
    ],
    ['no lines', Readable.from([`${HEADER}\n`]), /no lines of cost/],
    ['an empty file', Readable.from(['']), /no lines of cost/],
  ])('refuses %s, saying what and where', async (_what, input, message) => {
    expect((await errorOf(readFocusCsv(input, OPTIONS))).message).toMatch(
      message,
    );
  });

  it('stops at the line limit', async () => {
    const lines = Array.from({ length: 11 }, () => line({}));
    expect(
      (await errorOf(readFocusCsv(csv(...lines), { ...OPTIONS, maxRows: 10 })))
        .message,
    ).toMatch(/more than 10 lines/);
  });
});

describe('streamFocusCsv', () => {
  it('hands on batches of at most batchRows, summed, and reads on only when a batch is done', async () => {
    // 600 lines of 300 rows (each tag twice, hours of the same day).
    let pulled = 0;
    function* lines() {
      yield `${HEADER}\n`;
      for (let i = 0; i < 600; i++) {
        pulled++;
        const tags = JSON.stringify({
          'portal-entity-ref': `component:default/c-${i % 300}`,
        });
        yield `${line({ tags, cost: '2' })}\n`;
      }
    }
    const batches: Array<{ rows: number; amount: number; pulled: number }> = [];
    let writing = false;
    const result = await streamFocusCsv(
      Readable.from(lines()),
      OPTIONS,
      async rows => {
        expect(writing).toBe(false);
        writing = true;
        const pulledBefore = pulled;
        await new Promise(resolve => setTimeout(resolve, 5));
        // Nothing was read while the batch was being written.
        expect(pulled).toBe(pulledBefore);
        batches.push({
          rows: rows.length,
          amount: rows.reduce((sum, r) => sum + r.amount, 0),
          pulled,
        });
        writing = false;
      },
      100,
    );
    expect(result).toMatchObject({ rowsRead: 600, from: '2026-10-01' });
    expect(result.batches).toBe(batches.length);
    expect(result.rowsWritten).toBe(
      batches.reduce((sum, b) => sum + b.rows, 0),
    );
    expect(batches.every(b => b.rows <= 100)).toBe(true);
    expect(batches.reduce((sum, b) => sum + b.amount, 0)).toBe(1200);
    // The first batch was handed on long before the end of the file.
    expect(batches[0].pulled).toBeLessThan(600);
  });

  it('stops at a bad line after earlier batches were handed on', async () => {
    const good = Array.from({ length: 50 }, (_, i) =>
      line({ tags: JSON.stringify({ 'portal-entity-ref': `c-${i}` }) }),
    );
    const handed: number[] = [];
    const error = await errorOf(
      streamFocusCsv(
        csv(...good, line({ cost: 'abc' })),
        OPTIONS,
        async rows => {
          handed.push(rows.length);
        },
        10,
      ),
    );
    expect(error.message).toMatch(/line 52: EffectiveCost "abc"/);
    expect(handed).toEqual([10, 10, 10, 10, 10]);
  });
});

describe('entityRefOfTag', () => {
  it.each([
    ['component:default/payments-api', 'component:default/payments-api'],
    ['Component:payments-api', 'component:default/payments-api'],
    ['payments-api', undefined],
    ['', undefined],
    [undefined, undefined],
    ['component:', undefined],
  ])('%j -> %j', (tag, ref) => {
    expect(entityRefOfTag(tag)).toBe(ref);
  });
});
