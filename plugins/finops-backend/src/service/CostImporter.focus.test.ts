/*
 * The FOCUS import's shape, not its speed: how many database round trips it
 * makes and how much of the file it holds at once, counted (knex's 'query'
 * event, lines pulled from the input), so a busy machine cannot fail it.
 */
import { InputError } from '@backstage/errors';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { GroupTree } from '@portal/catalog-ownership';
import { testDatabaseIds } from '@portal/test-utils';
import { Knex } from 'knex';
import { Readable } from 'node:stream';
import { createFinopsStores } from '../database/createFinopsStores';
import { CostCatalog } from './CostCatalog';
import { CostImporter } from './CostImporter';
import { readFinopsOptions } from './options';

const databases = TestDatabases.create({ ids: testDatabaseIds() });

const catalog = {
  snapshot: async () => ({
    entities: new Map(),
    byOwner: new Map(),
    tree: GroupTree.fromEntities([]),
  }),
} as unknown as CostCatalog;

const HEADER =
  'ChargePeriodStart,ChargeCategory,ServiceName,SubAccountId,EffectiveCost,BillingCurrency,Tags';
const SERVICES = ['Compute', 'Database', 'Storage', 'Functions'];
/** The batch size of these imports: small, so that a small file has many. */
const BATCH_ROWS = 250;

/**
 * A FOCUS file of `days` x `components` x 4 services, one line per chunk,
 * counting the lines the importer has pulled; `badAt` puts a line with a
 * negative usage cost at that (1-based) line of cost.
 */
function focusFile(options: {
  firstDay: number;
  days: number;
  components: number;
  badAt?: number;
}) {
  const pulled = { lines: 0 };
  let shortestLine = Infinity;
  function* lines() {
    yield `${HEADER}\n`;
    let n = 0;
    for (let d = 0; d < options.days; d++) {
      const day = `2026-10-${String(options.firstDay + d).padStart(2, '0')}`;
      for (let c = 0; c < options.components; c++) {
        const tags = JSON.stringify({
          'portal-entity-ref': `component:default/service-${c}`,
        }).replace(/"/g, '""');
        for (const [s, service] of SERVICES.entries()) {
          n++;
          pulled.lines = n;
          const amount = n === options.badAt ? '-1.0000' : `${(c % 7) + s}.25`;
          const text = `${day}T00:00:00Z,Usage,${service},${
            100 + (c % 3)
          },${amount},USD,"${tags}"\n`;
          shortestLine = Math.min(shortestLine, text.length);
          yield text;
        }
      }
    }
  }
  const total = options.days * options.components * SERVICES.length;
  // The sum of the amounts: per component (c % 7) * 4 + (0+1+2+3) + 4 * 0.25.
  let sum = 0;
  for (let c = 0; c < options.components; c++) sum += (c % 7) * 4 + 7;
  return {
    input: Readable.from(lines()),
    pulled,
    get shortestLine() {
      return shortestLine;
    },
    total,
    amount: sum * options.days,
  };
}

/** Counts the statements knex sends; calls `onLinesInsert` on line inserts. */
function countQueries(knex: Knex, onLinesInsert: (rows: number) => void) {
  const counter = { queries: 0, lineInserts: 0 };
  const listener = (query: { sql: string; bindings?: unknown[] }) => {
    counter.queries++;
    if (/^insert into .finops_cost_lines./i.test(query.sql)) {
      counter.lineInserts++;
      // PostgreSQL: one array per column; SQLite: a (?, ...) tuple per row.
      const rows = query.sql.includes('unnest(')
        ? (query.bindings?.find(Array.isArray) as unknown[]).length
        : query.sql.match(/\(\?/g)?.length ?? 0;
      onLinesInsert(rows);
    }
  };
  knex.on('query', listener);
  return { counter, stop: () => knex.off('query', listener) };
}

async function storedTotals(knex: Knex) {
  const row = await knex('finops_cost_lines')
    .where('source', 'focus:test')
    .sum({ amount: 'amount' })
    .min({ from: 'day' })
    .max({ to: 'day' })
    .first();
  const daily = await knex('finops_entity_daily').sum({ amount: 'amount' });
  return {
    amount: Number(row?.amount ?? 0),
    from: row?.from ?? undefined,
    to: row?.to ?? undefined,
    rollup: Number(daily[0].amount ?? 0),
  };
}

describe.each(databases.eachSupportedId())('FOCUS import on %p', id => {
  async function setup() {
    const knex = await databases.init(id);
    const stores = await createFinopsStores({
      database: mockServices.database({ knex }),
    });
    const importer = new CostImporter(
      stores,
      readFinopsOptions(mockServices.rootConfig({ data: {} })),
      catalog,
      mockServices.logger.mock(),
      undefined,
      BATCH_ROWS,
    );
    return { knex, stores, importer };
  }

  it('streams a file of several batches: bounded round trips, at most two batches held', async () => {
    const { knex, importer } = await setup();
    // 12 days x 100 components x 4 services: 4,800 lines, 20 batches.
    const file = focusFile({ firstDay: 1, days: 12, components: 100 });
    const batches = Math.ceil(file.total / BATCH_ROWS);
    // How far the importer had read the file, less what it had written,
    // at each insert of cost lines: what it held in memory.
    const heldAtInsert: number[] = [];
    let inserted = 0;
    const { counter, stop } = countQueries(knex, rows => {
      heldAtInsert.push(file.pulled.lines - inserted);
      inserted += rows;
    });
    const run = await importer.importFocus({
      source: 'focus:test',
      input: file.input,
    });
    stop();

    expect(run).toMatchObject({
      status: 'succeeded',
      rowsRead: file.total,
      rowsStored: file.total,
      from: '2026-10-01',
      to: '2026-10-12',
    });
    const totals = await storedTotals(knex);
    expect(totals.amount).toBeCloseTo(file.amount, 6);
    expect(totals.rollup).toBeCloseTo(file.amount, 6);

    // Memory shape: when a batch is written, the importer has read at most
    // that batch and the next (a batch is stored while the next is read)
    // beyond what it wrote before, and what the streams buffer on the way
    // (the parser's 64 KiB of text, Node 22's default high-water mark, and
    // 16 records or chunks at the other stages; bounded here by twice
    // that). It does not read the whole file first.
    const buffered = Math.ceil((2 * 64 * 1024) / file.shortestLine) + 64;
    for (const held of heldAtInsert) {
      expect(held).toBeLessThanOrEqual(2 * BATCH_ROWS + buffered);
    }
    expect(heldAtInsert).toHaveLength(batches);
    expect(2 * BATCH_ROWS + buffered).toBeLessThan(file.total / 2);

    // Round trips: per batch one insert and at most one delete of the days
    // it brings, plus a constant (transaction, roll-ups, run record,
    // alerts); never a statement per line.
    expect(counter.lineInserts).toBe(batches);
    expect(counter.queries).toBeLessThanOrEqual(2 * batches + 20);
  }, 60_000);

  it('a bad line after some batches were written changes nothing, and importing again changes nothing', async () => {
    const { knex, stores, importer } = await setup();
    const good = focusFile({ firstDay: 1, days: 3, components: 50 });
    await importer.importFocus({ source: 'focus:test', input: good.input });
    const before = await storedTotals(knex);
    expect(before).toMatchObject({ from: '2026-10-01', to: '2026-10-03' });

    // Days 2 to 5, bad at line 1,000: three batches are written (and the
    // old lines of days 2 and 3 deleted) in the transaction when it is read.
    const bad = focusFile({
      firstDay: 2,
      days: 4,
      components: 100,
      badAt: 1000,
    });
    const error = await importer
      .importFocus({ source: 'focus:test', input: bad.input })
      .catch(e => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/line 1001: EffectiveCost is negative/);
    expect(bad.pulled.lines).toBeGreaterThan(2 * BATCH_ROWS);
    expect(await storedTotals(knex)).toEqual(before);
    const [failed] = await stores.imports.listImports(1);
    expect(failed).toMatchObject({ status: 'failed', rowsStored: 0 });

    // The same file again: the same data, not twice the data.
    const again = focusFile({ firstDay: 1, days: 3, components: 50 });
    const run = await importer.importFocus({
      source: 'focus:test',
      input: again.input,
    });
    expect(run.rowsStored).toBe(again.total);
    expect(await storedTotals(knex)).toEqual(before);
  }, 60_000);

  it('clears the days inside the range that the new file no longer has', async () => {
    const { knex, importer } = await setup();
    await importer.importFocus({
      source: 'focus:test',
      input: focusFile({ firstDay: 1, days: 5, components: 10 }).input,
    });
    // Days 1 and 5 only, each a batch of its own would not matter: day 2
    // to 4 lie between the first and the last and are replaced by nothing.
    const ends = Readable.from([
      `${HEADER}\n`,
      '2026-10-01T00:00:00Z,Usage,Compute,100,2.5,USD,\n',
      '2026-10-05T00:00:00Z,Usage,Compute,100,1.5,USD,\n',
    ]);
    await importer.importFocus({ source: 'focus:test', input: ends });
    const days = await knex('finops_cost_lines')
      .where('source', 'focus:test')
      .distinct('day')
      .orderBy('day');
    expect(days.map(r => r.day)).toEqual(['2026-10-01', '2026-10-05']);
    expect((await storedTotals(knex)).amount).toBeCloseTo(4);
  });
});
