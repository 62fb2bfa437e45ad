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
 *   3. the group tab for the top of the tree (the organisation: every
 *      component) and the finance page: median and p95 over 10 runs.
 *
 * Goals: import <= 2x its floor, peak memory < 256 MiB above the baseline.
 * Every run appends its figures to bench/results/costs.jsonl (with the
 * commit, date, database, Node version, CPUs, load average and the
 * calibration); `yarn bench:history costs` prints the last runs.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:costs
 *
 * BENCH_COMPONENTS and BENCH_DAYS make it smaller.
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
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import {
  addDays,
  BATCH_ROWS,
  FinopsStore,
  insertMany,
  LINE_COLUMNS,
  LINES,
} from '../src/database/FinopsStore';
import { streamFocusCsv } from '../src/focus/focus';
import { CostCatalogSnapshot, CostEntity } from '../src/service/CostCatalog';
import { CostService } from '../src/service/CostService';

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
const GOAL_MS = 200;
const RUNS = 10;
const REPO = path.resolve(__dirname, '../../..');
const RESULTS = path.join(REPO, 'bench/results/costs.jsonl');

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

/** Keeps the calibration loop's result alive. */
let calibrationSink = 0;

/**
 * The machine calibration: a fixed integer loop (xorshift and a multiply),
 * million operations per second over about half a second, best of three.
 */
function calibrate(): number {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let n = 0x9e3779b9 | 0;
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 500) {
      for (let i = 0; i < 1_000_000; i++) {
        n ^= n << 13;
        n ^= n >>> 17;
        n ^= n << 5;
        n = Math.imul(n, 2654435761) | 0;
      }
      ops += 1_000_000;
      elapsed = performance.now() - start;
    }
    calibrationSink ^= n;
    best = Math.max(best, ops / elapsed / 1000);
  }
  return best;
}

function git(...args: string[]) {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

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
async function importFile(store: FinopsStore, file: string) {
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

/**
 * The commit the measured code is from, taken as the run starts (others
 * may commit during a run of many minutes), and whether the plugin had
 * uncommitted changes then (the figures are of the working tree).
 */
const CODE = {
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: !!git('status', '--porcelain', '--', 'plugins/finops-backend'),
};

async function timed(fn: () => Promise<unknown>) {
  await fn(); // cold
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(samples.length / 2)],
    p95: samples[
      Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)
    ],
  };
}

async function bench(db: BenchDatabase, calibration: number) {
  const store = await FinopsStore.create({
    database: {
      getClient: async () => db.knex,
      migrations: {},
    } as unknown as DatabaseService,
  });
  const firstDay = addDays(END_DAY, -(DAYS - 1));
  const months = new Map<string, string[]>();
  for (let d = 0; d < DAYS; d++) {
    const day = addDays(firstDay, d);
    months.set(day.slice(0, 7), [...(months.get(day.slice(0, 7)) ?? []), day]);
  }

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
  if (db.knex.client.config.client === 'pg') {
    await db.knex.raw('analyze');
  }

  const snapshot = organisation();
  const costs = new CostService(store, { currency: 'USD', demo: false }, () =>
    addDays(END_DAY, 1),
  );
  log(`${db.name}: group tab and finance page`);
  const groupTab = await timed(() =>
    costs.groupCost(snapshot, 'group:default/org', 30, () => true),
  );
  const departmentTab = await timed(() =>
    costs.groupCost(snapshot, 'group:default/dept-0', 30, () => true),
  );
  const financePage = await timed(() => costs.organisationCost(snapshot, 12));
  const entityTab = await timed(() =>
    costs.entityCost(snapshot, 'component:default/service-7', 30),
  );

  const rate = rows / (imported.ms / 1000);
  const floorRate = floorRows / (floor.ms / 1000);
  const ratio = imported.ms / floor.ms;
  const aboveMiB = (imported.peak - imported.baseline) / 1024 / 1024;
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
  console.log(`\n${db.name}`);
  line('Calibration: fixed CPU loop, M ops/s', calibration.toFixed(0));
  line(
    `FOCUS import: ${fmtInt(rows)} cost rows in ${months.size} monthly files`,
    `${fmtMs(imported.ms)}, ${fmtInt(rate)} rows/s`,
  );
  line(
    `Floor: bulk insert of the same rows, batches of ${fmtInt(BATCH_ROWS)}`,
    `${fmtMs(floor.ms)}, ${fmtInt(floorRate)} rows/s`,
  );
  line(
    'FOCUS import / floor',
    `${ratio.toFixed(2)}x`,
    `<= ${GOAL_RATIO}x`,
    ratio <= GOAL_RATIO,
  );
  line(
    'FOCUS import: peak RSS (above baseline / absolute)',
    `+${mib(imported.peak - imported.baseline)} / ${mib(imported.peak)}`,
    `< +${GOAL_MIB} MiB`,
    aboveMiB < GOAL_MIB,
  );
  line(
    'Floor: peak RSS (above baseline / absolute)',
    `+${mib(floor.peak - floor.baseline)} / ${mib(floor.peak)}`,
  );
  for (const [label, t] of [
    ['Group tab, top of the tree (all components), median / p95', groupTab],
    ['Finance page (12 months), median / p95', financePage],
  ] as const) {
    line(
      label,
      `${fmtMs(t.median)} / ${fmtMs(t.p95)}`,
      `< ${GOAL_MS} ms`,
      t.p95 < GOAL_MS,
    );
  }
  line(
    'Group tab, a department (200 components), median / p95',
    `${fmtMs(departmentTab.median)} / ${fmtMs(departmentTab.p95)}`,
  );
  line(
    'Entity tab, one component, median / p95',
    `${fmtMs(entityTab.median)} / ${fmtMs(entityTab.p95)}`,
  );
  const note = await db.describe(LINES);
  console.log(`  note: ${note}`);

  const round = (n: number, digits = 0) => Number(n.toFixed(digits));
  const record = {
    bench: 'costs',
    commit: CODE.commit,
    dirty: CODE.dirty,
    date: new Date().toISOString(),
    database: db.knex.client.config.client === 'pg' ? 'postgres' : 'sqlite',
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map(n => round(n, 2)),
    calibrationMops: round(calibration),
    components: COMPONENTS,
    days: DAYS,
    files: months.size,
    biggestFileMiB: round(biggest / 1024 / 1024, 1),
    lines,
    rows,
    batchRows: BATCH_ROWS,
    importMs: round(imported.ms),
    importRowsPerS: round(rate),
    floorMs: round(floor.ms),
    floorRowsPerS: round(floorRate),
    ratio: round(ratio, 2),
    importPeakAboveMiB: round(aboveMiB),
    importPeakMiB: round(imported.peak / 1024 / 1024),
    floorPeakAboveMiB: round((floor.peak - floor.baseline) / 1024 / 1024),
    groupTabP95Ms: round(groupTab.p95, 1),
    departmentTabP95Ms: round(departmentTab.p95, 1),
    financePageP95Ms: round(financePage.p95, 1),
    entityTabP95Ms: round(entityTab.p95, 1),
    pass: {
      ratio: ratio <= GOAL_RATIO,
      memory: aboveMiB < GOAL_MIB,
      groupTab: groupTab.p95 < GOAL_MS,
      financePage: financePage.p95 < GOAL_MS,
    },
    note,
  };
  if (process.env.BENCH_NO_RECORD !== '1') {
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.appendFileSync(RESULTS, `${JSON.stringify(record)}\n`);
    console.log(`  appended to ${path.relative(REPO, RESULTS)}`);
  }
  return ratio <= GOAL_RATIO && aboveMiB < GOAL_MIB;
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
    `FinOps benchmark — node ${process.version}, ${
      os.cpus().length
    } CPUs, load ${os
      .loadavg()
      .map(n => n.toFixed(2))
      .join(' ')}, calibration ${calibration.toFixed(0)} M ops/s; ${fmtInt(
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
  if (calibrationSink === 0.5) console.log(''); // never: keeps the loop
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
