/*
 * FinOps benchmark (not a test). For SQLite, and for PostgreSQL when
 * BENCH_POSTGRES_URL names a server:
 *
 *   0. a machine calibration figure: a fixed CPU loop's operations per
 *      second, so that runs on different machines can be read side by side;
 *   1. the floor: the same cost rows, made in memory, bulk inserted into the
 *      same table in batches of the import's batch size, one transaction per
 *      month (then the table is emptied, not timed);
 *   2. import 2,000 components x 400 days x 5 services (4,000,000 cost
 *      rows) through the FOCUS import, one billing export file per month as
 *      the clouds write them (written first, not timed): rows per second,
 *      the ratio to the floor and peak memory above the baseline;
 *   3. the views, in 100 rounds (each round calls each view once, so a busy
 *      spell falls on all alike, starting one view further on each round,
 *      so that none always follows the same one): the group tab for the top of the tree
 *      (the organisation: every component) and for a department (200
 *      components), the finance page, an entity tab, and their floor, a
 *      plain aggregate: every entity's cost over the group tab's 30 days,
 *      one grouped sum over the daily entity roll-up. Median and p95 each.
 *
 * Goals: import <= 2x its floor, peak memory < 256 MiB above the baseline;
 * group tab (top) <= 2x the plain aggregate and no slower than the finance
 * page, a department <= half the top (all by p95). Every run appends its
 * figures to bench/results/costs.jsonl (with the commit, date, database,
 * Node version, CPUs, load average and the calibration: bench/record.ts);
 * `yarn bench:history costs` prints the last runs.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:costs
 *
 * BENCH_VIEWS_ONLY=1 skips the floor and the import's timing: the same rows
 * are stored through the store's import (roll-ups and all) from memory,
 * and only the views are measured. BENCH_COMPONENTS and BENCH_DAYS make it
 * smaller. BENCH_TRACE=1 (and BENCH_EXPLAIN=1) print where the group tabs'
 * time goes, statement by statement (traceQueries).
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { GroupTree } from '@portal/catalog-ownership';
import {
  BenchDatabase,
  collectGarbage,
  fmtMs,
  mib,
  openPostgresBench,
  openSqliteBench,
  stopSampler,
  withPeakRss,
} from '@portal/test-utils/bench';
import { Knex } from 'knex';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { CostLineStore } from '../src/database/CostLineStore';
import { createFinopsStores } from '../src/database/createFinopsStores';
import { addDays } from '../src/database/days';
import {
  BATCH_ROWS,
  insertMany,
  LINE_COLUMNS,
  LINES,
} from '../src/database/tables';
import { AttributedRow } from '../src/database/types';
import { streamFocusCsv } from '../src/focus/focus';
import { CostCatalogSnapshot, CostEntity } from '../src/service/CostCatalog';
import { CostService } from '../src/service/CostService';
import { OrganisationCostService } from '../src/service/OrganisationCostService';
// The benchmarks' shared recorder lives at the root, next to the results
// it writes; benchmarks are not part of any package's build.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  appendResult,
  calibrate,
  codeVersion,
  machineLine,
  roundTo,
} from '../../../bench/record';

const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 2000);
const DAYS = Number(process.env.BENCH_DAYS ?? 400);
const SERVICES = [
  'Amazon Elastic Compute Cloud - Compute',
  'Amazon Relational Database Service',
  'Amazon Simple Storage Service',
  'AWS Lambda',
  'Amazon CloudWatch',
];
const DEPARTMENTS = 10;
const TEAMS_PER_DEPARTMENT = 10;
const END_DAY = '2026-10-31';
const TAG = 'portal-entity-ref';
const GOAL_RATIO = 2;
const GOAL_MIB = 256;
const GOAL_VIEW_RATIO = 2;
const RUNS = 100;

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

/** The organisation: departments of teams, each team owning components. */
function organisation(): CostCatalogSnapshot {
  const groups: Entity[] = [];
  const group = (name: string, parent?: string, type = 'team'): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type },
    relations: parent
      ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
      : [],
  });
  groups.push(group('org', undefined, 'organization'));
  const teams: string[] = [];
  for (let d = 0; d < DEPARTMENTS; d++) {
    groups.push(group(`dept-${d}`, 'org', 'department'));
    for (let t = 0; t < TEAMS_PER_DEPARTMENT; t++) {
      groups.push(group(`team-${d}-${t}`, `dept-${d}`));
      teams.push(`group:default/team-${d}-${t}`);
    }
  }
  const entities = new Map<string, CostEntity>();
  const byOwner = new Map<string, CostEntity[]>();
  for (let c = 0; c < COMPONENTS; c++) {
    const ownerRef = teams[c % teams.length];
    const entity: CostEntity = {
      ref: `component:default/service-${c}`,
      kind: 'component',
      title: `service-${c}`,
      ownerRef,
      partOfRef: `system:default/product-${c % 40}`,
    };
    entities.set(entity.ref, entity);
    byOwner.set(ownerRef, [...(byOwner.get(ownerRef) ?? []), entity]);
  }
  return { entities, byOwner, tree: GroupTree.fromEntities(groups) };
}

/** One month's FOCUS export: every component, day and service. */
function* monthExport(days: string[]): Generator<string> {
  yield 'ChargePeriodStart,ChargeCategory,ServiceName,SubAccountId,EffectiveCost,BillingCurrency,Tags\n';
  const tags = Array.from(
    { length: COMPONENTS },
    (_, c) =>
      `"${JSON.stringify({ [TAG]: `component:default/service-${c}` }).replace(
        /"/g,
        '""',
      )}"`,
  );
  for (const day of days) {
    let batch = '';
    for (let c = 0; c < COMPONENTS; c++) {
      for (let s = 0; s < SERVICES.length; s++) {
        const amount = ((c % 97) + s + 1) * 0.37;
        batch += `${day}T00:00:00Z,Usage,${SERVICES[s]},${
          100000 + (c % 50)
        },${amount.toFixed(4)},USD,${tags[c]}\n`;
      }
    }
    yield batch;
  }
}

/** The cost lines one month's export becomes, as the store writes them. */
function* monthLines(days: string[], source: string): Generator<Knex.Value[]> {
  for (const day of days) {
    for (let c = 0; c < COMPONENTS; c++) {
      const ref = `component:default/service-${c}`;
      for (let s = 0; s < SERVICES.length; s++) {
        const amount = Number((((c % 97) + s + 1) * 0.37).toFixed(4));
        yield [
          source,
          day,
          ref,
          ref,
          SERVICES[s],
          String(100000 + (c % 50)),
          'Usage',
          amount,
          'USD',
          false,
        ];
      }
    }
  }
}

/**
 * The floor: one month's lines, made in memory as they go, bulk inserted in
 * batches of BATCH_ROWS in one transaction (the store's own multi-row
 * insert: VALUES on SQLite, unnest on PostgreSQL), commit included.
 */
async function floorInsert(knex: Knex, days: string[]) {
  let rows = 0;
  const start = performance.now();
  await knex.transaction(async tx => {
    let batch: Knex.Value[][] = [];
    for (const line of monthLines(days, 'focus:floor')) {
      batch.push(line);
      if (batch.length === BATCH_ROWS) {
        await insertMany(tx, LINES, LINE_COLUMNS, batch);
        rows += batch.length;
        batch = [];
      }
    }
    if (batch.length) await insertMany(tx, LINES, LINE_COLUMNS, batch);
    rows += batch.length;
  });
  return { ms: performance.now() - start, rows };
}

/**
 * Imports one FOCUS file the way the plugin does (CostImporter.importFocus
 * without the run record and alerts): streamed, in batches, one transaction.
 */
async function importFile(store: CostLineStore, file: string) {
  const { value, rowsStored } = await store.importLines({
    source: 'focus:bench',
    produce: write =>
      streamFocusCsv(
        fs.createReadStream(file),
        {
          tagKey: TAG,
          costColumn: 'EffectiveCost',
          currency: 'USD',
          maxRows: 10_000_000,
        },
        write,
        BATCH_ROWS,
      ),
  });
  return { rows: rowsStored, lines: value.rowsRead };
}

/** The commit the measured code is from, taken as the run starts. */
const CODE = codeVersion('plugins/finops-backend');

/**
 * Times some calls in rounds, each round calling each once in turn (after
 * one cold call each), so that a busy spell of the machine falls on all of
 * them alike: median and p95 of each over RUNS rounds. (Collecting the
 * garbage before each call was tried, on 2026-12-07: it made the small
 * calls slower, not steadier.)
 */
type Timed = {
  median: number;
  p95: number;
  /** Calls during which this process collected garbage, of RUNS. */
  paused: number;
  /** The p95 with each call's collection pauses taken out. */
  p95WithoutGc: number;
};

async function timedInRounds<K extends string>(
  calls: Record<K, () => Promise<unknown>>,
): Promise<Record<K, Timed>> {
  const names = Object.keys(calls) as K[];
  const samples = new Map<K, number[]>(names.map(n => [n, []]));
  const spans = new Map<K, Array<[number, number]>>(names.map(n => [n, []]));
  for (const name of names) await calls[name](); // cold
  // This process's garbage collections (the same timeline as the calls),
  // to tell a call's own time from the pauses it happened to take.
  const collections: Array<[number, number]> = [];
  const observer = new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      collections.push([e.startTime, e.startTime + e.duration]);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < RUNS; i++) {
    // Each round starts one view further on, so that no view always comes
    // after the same one (and pays for the garbage it left, collected
    // while the next one runs).
    const order = names.map((_, j) => names[(i + j) % names.length]);
    for (const name of order) {
      const start = performance.now();
      await calls[name]();
      const end = performance.now();
      samples.get(name)!.push(end - start);
      spans.get(name)!.push([start, end]);
    }
  }
  // The observer's entries arrive after the fact: let them.
  await new Promise(resolve => setImmediate(resolve));
  observer.disconnect();
  const p95Of = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1];
  const out = {} as Record<K, Timed>;
  for (const name of names) {
    const all = samples.get(name)!;
    const pauses = spans
      .get(name)!
      .map(([a, b]) =>
        collections.reduce(
          (t, [c, d]) => t + Math.max(0, Math.min(b, d) - Math.max(a, c)),
          0,
        ),
      );
    const sorted = [...all].sort((a, b) => a - b);
    out[name] = {
      median: sorted[Math.floor(sorted.length / 2)],
      p95: p95Of(all),
      paused: pauses.filter(p => p > 0).length,
      p95WithoutGc: p95Of(all.map((ms, i) => ms - pauses[i])),
    };
  }
  return out;
}

/**
 * BENCH_TRACE=1: where a view's time goes. Each call runs 10 times with
 * knex's query events on: the call's median, and each statement's median
 * from sent to answered while the call's other statements run beside it,
 * slowest first. On PostgreSQL each statement is then run alone, one
 * after another on one connection (what the database itself costs), and
 * with BENCH_EXPLAIN=1 its plan is printed (explain analyze, buffers).
 */
async function traceQueries(
  knex: Knex,
  calls: Record<string, () => Promise<unknown>>,
) {
  type Sent = { __knexQueryUid: string; sql: string; bindings: unknown[] };
  const started = new Map<string, number>();
  const times = new Map<string, { sent: Sent; ms: number[] }>();
  const onQuery = (q: Sent) => started.set(q.__knexQueryUid, performance.now());
  const onAnswer = (_: unknown, q: Sent) => {
    const at = started.get(q.__knexQueryUid);
    if (at === undefined) return;
    const seen = times.get(q.sql) ?? { sent: q, ms: [] };
    seen.ms.push(performance.now() - at);
    times.set(q.sql, seen);
  };
  const short = (sql: string) =>
    sql
      .replace(/\s+/g, ' ')
      .replace(/(\$\d+|\?)(, ?(\$\d+|\?))+/g, '…')
      .slice(0, 100);
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const timed = async (n: number, call: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await call();
      ms.push(performance.now() - start);
    }
    return median(ms);
  };
  for (const [name, call] of Object.entries(calls)) {
    times.clear();
    knex.on('query', onQuery).on('query-response', onAnswer);
    let own: number;
    try {
      own = await timed(10, call);
    } finally {
      knex.removeListener('query', onQuery);
      knex.removeListener('query-response', onAnswer);
    }
    console.log(`\n${name}: median ${own.toFixed(1)} ms per call`);
    const statements = [...times.values()].sort(
      (a, b) => median(b.ms) - median(a.ms),
    );
    for (const { sent, ms } of statements) {
      const each = `${median(ms).toFixed(1)} ms x${ms.length / 10}`;
      console.log(`  ${each.padStart(11)} ${short(sent.sql)}`);
    }
    if (knex.client.config.client !== 'pg') continue;
    const conn = await knex.client.acquireConnection();
    try {
      let total = 0;
      for (const { sent } of statements) {
        const run = (prefix = '') =>
          conn.query({ text: prefix + sent.sql, values: sent.bindings });
        const alone = await timed(10, run);
        total += alone;
        console.log(
          `  alone ${alone.toFixed(2).padStart(6)} ms ${short(sent.sql)}`,
        );
        if (process.env.BENCH_EXPLAIN === '1') {
          const plan = await run('explain (analyze, buffers) ');
          for (const row of plan.rows)
            console.log(`      ${row['QUERY PLAN']}`);
        }
      }
      console.log(`  alone, one after another: ${total.toFixed(1)} ms`);
    } finally {
      await knex.client.releaseConnection(conn);
    }
  }
}

/** The months of the benchmark's days, each with its days. */
function benchMonths(): Map<string, string[]> {
  const firstDay = addDays(END_DAY, -(DAYS - 1));
  const months = new Map<string, string[]>();
  for (let d = 0; d < DAYS; d++) {
    const day = addDays(firstDay, d);
    months.set(day.slice(0, 7), [...(months.get(day.slice(0, 7)) ?? []), day]);
  }
  return months;
}

/**
 * The import and its floor: the exports written to files (not timed), the
 * floor bulk inserted and removed, then each file imported.
 */
async function importPart(db: BenchDatabase, store: CostLineStore) {
  const months = benchMonths();
  // The exports are written to files first (not timed), as a billing
  // export bucket would hold them; the import reads them as streams.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-bench-focus-'));
  const files: Array<[string, string]> = [];
  for (const [month, days] of months) {
    const file = path.join(dir, `focus-${month}.csv`);
    await pipeline(
      Readable.from(monthExport(days)),
      fs.createWriteStream(file),
    );
    files.push([month, file]);
  }
  const biggest = Math.max(...files.map(([, f]) => fs.statSync(f).size));

  // The floor first, into the empty table, then the table is emptied: the
  // import of each month then meets the table the floor met.
  log(`${db.name}: floor, ${months.size} months`);
  let floorRows = 0;
  const floor = await withPeakRss(async () => {
    for (const days of months.values()) {
      floorRows += (await floorInsert(db.knex, days)).rows;
    }
  });
  await db.knex(LINES).delete();
  if (db.knex.client.config.client === 'pg') {
    await db.knex.raw('vacuum analyze ??', [LINES]);
  }
  collectGarbage();

  log(`${db.name}: importing ${months.size} monthly exports`);
  let rows = 0;
  let lines = 0;
  const imported = await withPeakRss(async () => {
    for (const [month, file] of files) {
      const result = await importFile(store, file);
      rows += result.rows;
      lines += result.lines;
      log(`  ${month}: ${fmtInt(result.lines)} lines`);
    }
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const ratio = imported.ms / floor.ms;
  const aboveMiB = (imported.peak - imported.baseline) / 1024 / 1024;
  return {
    months,
    biggest,
    floor,
    floorRows,
    imported,
    rows,
    lines,
    ratio,
    aboveMiB,
  };
}

/**
 * BENCH_VIEWS_ONLY=1: the same cost rows stored through the store's own
 * import (importLines, so every roll-up is kept as an import keeps it),
 * made in memory instead of parsed from files, and not timed.
 */
async function loadPart(db: BenchDatabase, store: CostLineStore) {
  const months = benchMonths();
  log(`${db.name}: loading ${months.size} months (not timed)`);
  for (const days of months.values()) {
    await store.importLines({
      source: 'focus:bench',
      produce: async write => {
        let batch: AttributedRow[] = [];
        for (const v of monthLines(days, 'focus:bench')) {
          batch.push({
            day: v[1] as string,
            tagValue: v[2] as string,
            entityRef: v[3] as string,
            service: v[4] as string,
            account: v[5] as string,
            chargeCategory: 'Usage',
            amount: v[7] as number,
            currency: 'USD',
          });
          if (batch.length === BATCH_ROWS) {
            await write(batch);
            batch = [];
          }
        }
        if (batch.length) await write(batch);
      },
    });
  }
}

/**
 * The plain aggregate the views are read against: every entity's cost over
 * the group tab's 30 days, one grouped sum over the daily entity roll-up
 * (the table the group tab's entity figures and the finance page's monthly
 * one are made from), nothing else.
 */
async function plainAggregate(db: BenchDatabase, from: string, to: string) {
  return db
    .knex('finops_entity_daily')
    .select('entity_ref')
    .sum({ amount: 'amount' })
    .where('day', '>=', from)
    .andWhere('day', '<=', to)
    .groupBy('entity_ref');
}

async function bench(db: BenchDatabase, calibration: number) {
  const stores = await createFinopsStores({
    database: {
      getClient: async () => db.knex,
      migrations: {},
    } as unknown as DatabaseService,
  });
  const snapshot = organisation();
  const costs = new CostService(stores, { currency: 'USD', demo: false }, () =>
    addDays(END_DAY, 1),
  );
  const orgCosts = new OrganisationCostService(
    stores,
    { currency: 'USD', demo: false },
    costs,
  );
  // The catalog's ownership and group tree are known before the import,
  // as in a running portal (the attribution task records them), so the
  // import keeps the owner and group roll-ups as it would there.
  await costs.syncOwners(snapshot);
  const viewsOnly = process.env.BENCH_VIEWS_ONLY === '1';
  let imp: Awaited<ReturnType<typeof importPart>> | undefined;
  if (viewsOnly) await loadPart(db, stores.lines);
  else imp = await importPart(db, stores.lines);
  if (db.knex.client.config.client === 'pg') {
    // As autovacuum would leave it, before the views are timed (and not
    // while they are).
    await db.knex.raw('vacuum analyze');
  }
  log(`${db.name}: group tab and finance page`);
  const { from, to } = await costs.period(30);
  const t = await timedInRounds({
    aggregate: () => plainAggregate(db, from, to),
    groupTab: () =>
      costs.groupCost(snapshot, 'group:default/org', 30, () => true),
    departmentTab: () =>
      costs.groupCost(snapshot, 'group:default/dept-0', 30, () => true),
    financePage: () => orgCosts.organisationCost(snapshot, 12),
    entityTab: () =>
      costs.entityCost(snapshot, 'component:default/service-7', 30),
  });
  if (process.env.BENCH_TRACE === '1') {
    await traceQueries(db.knex, {
      groupTab: () =>
        costs.groupCost(snapshot, 'group:default/org', 30, () => true),
      departmentTab: () =>
        costs.groupCost(snapshot, 'group:default/dept-0', 30, () => true),
    });
  }
  const { groupTab, departmentTab, financePage, entityTab } = t;
  const floorP95 = t.aggregate.p95;
  const groupRatio = groupTab.p95 / floorP95;
  const financeRatio = financePage.p95 / floorP95;
  const topVsFinance = groupTab.p95 / financePage.p95;
  const departmentVsTop = departmentTab.p95 / groupTab.p95;

  const verdict = (ok?: boolean) => {
    if (ok === undefined) return '    ';
    return ok ? 'PASS' : 'MISS';
  };
  const line = (label: string, value: string, goal = '', ok?: boolean) =>
    console.log(
      `| ${label.padEnd(58)} | ${value.padStart(26)} | ${goal.padEnd(
        14,
      )} | ${verdict(ok)} |`,
    );
  console.log(`\n${db.name}${viewsOnly ? ' (views only)' : ''}`);
  line('Calibration: fixed CPU loop, M ops/s', calibration.toFixed(0));
  if (imp) {
    const rate = imp.rows / (imp.imported.ms / 1000);
    const floorRate = imp.floorRows / (imp.floor.ms / 1000);
    line(
      `FOCUS import: ${fmtInt(imp.rows)} cost rows in ${
        imp.months.size
      } monthly files`,
      `${fmtMs(imp.imported.ms)}, ${fmtInt(rate)} rows/s`,
    );
    line(
      `Floor: bulk insert of the same rows, batches of ${fmtInt(BATCH_ROWS)}`,
      `${fmtMs(imp.floor.ms)}, ${fmtInt(floorRate)} rows/s`,
    );
    line(
      'FOCUS import / floor',
      `${imp.ratio.toFixed(2)}x`,
      `<= ${GOAL_RATIO}x`,
      imp.ratio <= GOAL_RATIO,
    );
    line(
      'FOCUS import: peak RSS (above baseline / absolute)',
      `+${mib(imp.imported.peak - imp.imported.baseline)} / ${mib(
        imp.imported.peak,
      )}`,
      `< +${GOAL_MIB} MiB`,
      imp.aboveMiB < GOAL_MIB,
    );
    line(
      'Floor: peak RSS (above baseline / absolute)',
      `+${mib(imp.floor.peak - imp.floor.baseline)} / ${mib(imp.floor.peak)}`,
    );
  }
  const ms = (x: Timed) => `${fmtMs(x.median)} / ${fmtMs(x.p95)}`;
  line('Plain aggregate: 30 days by entity, median / p95', ms(t.aggregate));
  line(
    'Group tab, top of the tree (all components), median / p95',
    ms(groupTab),
  );
  line('Finance page (12 months), median / p95', ms(financePage));
  line(
    'Group tab, a department (200 components), median / p95',
    ms(departmentTab),
  );
  line('Entity tab, one component, median / p95', ms(entityTab));
  line(
    'Group tab (top) / plain aggregate, p95',
    `${groupRatio.toFixed(2)}x`,
    `<= ${GOAL_VIEW_RATIO}x`,
    groupRatio <= GOAL_VIEW_RATIO,
  );
  line('Finance page / plain aggregate, p95', `${financeRatio.toFixed(2)}x`);
  line(
    'Group tab (top) / finance page, p95',
    `${topVsFinance.toFixed(2)}x`,
    '<= 1x',
    topVsFinance <= 1,
  );
  line(
    'Group tab, department / top, p95',
    `${departmentVsTop.toFixed(2)}x`,
    '<= 0.5x',
    departmentVsTop <= 0.5,
  );
  const gcLine = Object.entries<Timed>(t)
    .map(
      ([name, x]) =>
        `${name} ${x.paused}/${RUNS} (p95 ${fmtMs(
          x.p95,
        )}, without the pauses ${fmtMs(x.p95WithoutGc)})`,
    )
    .join('; ');
  console.log(
    `  note: calls during which this process collected garbage: ${gcLine}`,
  );
  const note = await db.describe(LINES);
  console.log(`  note: ${note}`);

  const pass = {
    ...(imp && {
      ratio: imp.ratio <= GOAL_RATIO,
      memory: imp.aboveMiB < GOAL_MIB,
    }),
    groupTabVsAggregate: groupRatio <= GOAL_VIEW_RATIO,
    groupTabVsFinancePage: topVsFinance <= 1,
    departmentVsTop: departmentVsTop <= 0.5,
  };
  appendResult(
    'costs',
    {
      code: CODE,
      database: db.knex.client.config.client === 'pg' ? 'postgres' : 'sqlite',
      calibration,
    },
    {
      viewsOnly,
      components: COMPONENTS,
      days: DAYS,
      ...(imp && {
        files: imp.months.size,
        biggestFileMiB: roundTo(imp.biggest / 1024 / 1024, 1),
        lines: imp.lines,
        rows: imp.rows,
        batchRows: BATCH_ROWS,
        importMs: roundTo(imp.imported.ms),
        importRowsPerS: roundTo(imp.rows / (imp.imported.ms / 1000)),
        floorMs: roundTo(imp.floor.ms),
        floorRowsPerS: roundTo(imp.floorRows / (imp.floor.ms / 1000)),
        ratio: roundTo(imp.ratio, 2),
        importPeakAboveMiB: roundTo(imp.aboveMiB),
        importPeakMiB: roundTo(imp.imported.peak / 1024 / 1024),
        floorPeakAboveMiB: roundTo(
          (imp.floor.peak - imp.floor.baseline) / 1024 / 1024,
        ),
      }),
      aggregateP95Ms: roundTo(floorP95, 1),
      groupTabP95Ms: roundTo(groupTab.p95, 1),
      departmentTabP95Ms: roundTo(departmentTab.p95, 1),
      financePageP95Ms: roundTo(financePage.p95, 1),
      entityTabP95Ms: roundTo(entityTab.p95, 1),
      groupTabVsAggregate: roundTo(groupRatio, 2),
      financePageVsAggregate: roundTo(financeRatio, 2),
      groupTabVsFinancePage: roundTo(topVsFinance, 2),
      departmentVsTop: roundTo(departmentVsTop, 2),
      groupTabMedianMs: roundTo(groupTab.median, 1),
      departmentTabMedianMs: roundTo(departmentTab.median, 1),
      gcPausedCalls: Object.fromEntries(
        Object.entries<Timed>(t).map(([name, x]) => [name, x.paused]),
      ),
      p95WithoutGcMs: Object.fromEntries(
        Object.entries<Timed>(t).map(([name, x]) => [
          name,
          roundTo(x.p95WithoutGc, 1),
        ]),
      ),
      pass,
      note,
    },
  );
  return Object.values(pass).every(Boolean);
}

async function main() {
  const only = process.env.BENCH_ONLY;
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  if (!only && pgUrl) {
    // Each database in a process of its own, so memory figures do not mix.
    await stopSampler();
    let failed = 0;
    for (const which of ['sqlite', 'postgres']) {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, __filename],
        {
          stdio: 'inherit',
          env: { ...process.env, BENCH_ONLY: which },
        },
      );
      if (child.status !== 0) failed++;
    }
    process.exitCode = failed ? 1 : 0;
    return;
  }
  const calibration = calibrate();
  console.log(
    `FinOps benchmark — ${machineLine(calibration)}; ${fmtInt(
      COMPONENTS,
    )} components x ${DAYS} days x ${SERVICES.length} services`,
  );
  const db =
    only === 'postgres' && pgUrl
      ? await openPostgresBench(pgUrl)
      : await openSqliteBench('finops');
  try {
    process.exitCode = (await bench(db, calibration)) ? 0 : 1;
  } finally {
    await db.close();
    await stopSampler();
  }
  if (!pgUrl) {
    console.log(
      '\nPostgreSQL skipped: set BENCH_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:55999) to run it.',
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
