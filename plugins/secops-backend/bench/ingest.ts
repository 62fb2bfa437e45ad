/*
 * SecOps ingestion benchmark (not a test). For SQLite, and for PostgreSQL
 * when BENCH_POSTGRES_URL names a server:
 *
 *   1. ingest a generated SARIF of 25,000 results and a CycloneDX of 5,000
 *      vulnerabilities through ReportIngester (decode + parse + store):
 *      wall time, findings/s, peak RSS;
 *   2. the floor: a plain bulk insert of the same rows into the same table;
 *   3. re-ingest of the same reports: time, and rows added (must be 0);
 *   4. ~1,000,000 findings in the store: the two calls the entity tab makes
 *      (listFindings, countFindings), median and p95 over 20 runs.
 *
 * Goals: >= 5,000 findings/s and <= 3x the floor (medians of 3 runs, each
 * report); a re-ingest (the slowest of 3) at most 1.5x the floor of the
 * same report, adding no row; the entity tab's calls
 * under 100 ms at p95 with ~1,000,000 findings in the store. Each database's
 * run prints a machine calibration figure and appends its figures, with a
 * `pass` per goal, to bench/results/ingest.jsonl (with the commit, date,
 * database, Node version, CPUs, load average and the calibration:
 * bench/record.ts); `yarn bench:history ingest` prints the last runs.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:ingest
 *
 * Optional: BENCH_FILL_ROWS (default 1000000), BENCH_FILL_BUDGET_S (default
 * 180: the bulk fill stops there and says how many rows it reached),
 * BENCH_ONLY=sqlite|postgres, BENCH_NO_RECORD=1 (a smoke run: nothing
 * appended). With both databases, each runs in a node process of its own.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { IngestResult } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSecopsStores } from '../src/database/createSecopsStores';
import { builtInParsers } from '../src/parsers';
import { ReportIngester } from '../src/service/ReportIngester';
import { overdueCutoffs, readSecopsOptions } from '../src/service/options';
import { fillStore, insertRows } from './fill';
import { GeneratedReport, generateCycloneDx, generateSarif } from './generate';
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

const FINDINGS = 'secops_findings';
const REPO_ROOT = path.resolve(__dirname, '../../..');

const GOAL_RATE = 5000; // findings/s
const GOAL_FLOOR_RATIO = 3;
/** The slowest re-ingest of a report against the floor of the same report. */
const GOAL_REINGEST_RATIO = 1.5;
const GOAL_TAB_MS = 100;

const FILL_ROWS = Number(process.env.BENCH_FILL_ROWS ?? 1_000_000);
const FILL_ENTITIES = 2000;
const FILL_BUDGET_MS = Number(process.env.BENCH_FILL_BUDGET_S ?? 180) * 1000;
const QUERY_RUNS = 20;
const REPEATS = 3;

/** The commit the measured code is from, taken as the run starts. */
const CODE = codeVersion('plugins/secops-backend');

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const loadAverage = () =>
  os
    .loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

// ---------------------------------------------------------------------------
// Output

type Row = [metric: string, value: string, goal?: string, ok?: boolean];

function verdict(ok?: boolean) {
  if (ok === undefined) return '';
  return ok ? 'PASS' : 'MISS';
}

function printTable(title: string, rows: Row[]) {
  const cells = rows.map(([metric, value, goal, ok]) => [
    metric,
    value,
    goal ?? '',
    verdict(ok),
  ]);
  const header = ['Measure', 'Figure', 'Goal', ''];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map(c => c[i].length)),
  );
  const line = (c: string[]) =>
    `| ${c
      .map((v, i) => (i === 1 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join(' | ')} |`;
  const rule = `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`;
  console.log(`\n${title}\n${line(header)}\n${rule}`);
  for (const c of cells) console.log(line(c));
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

// ---------------------------------------------------------------------------
// Databases

async function countRows(knex: Knex, entityRef?: string): Promise<number> {
  const q = knex(FINDINGS);
  if (entityRef) q.where('entity_ref', entityRef);
  const [{ n }] = await q.count({ n: '*' });
  return Number(n);
}

// ---------------------------------------------------------------------------
// Bulk inserts

/**
 * The floor: the rows the store wrote for `fromEntity`, read back and
 * inserted again under a fresh entity ref, in batches of 500 (the store's own
 * chunk size) in one transaction.
 */
async function floorInsert(
  db: BenchDatabase,
  fromEntity: string,
  suffix: string,
) {
  const source: Record<string, unknown>[] = await db
    .knex(FINDINGS)
    .where('entity_ref', fromEntity)
    .orderBy('id');
  const toEntity = `${fromEntity}${suffix}`;
  const rows = source.map(({ id: _id, ...row }) => ({
    ...row,
    entity_ref: toEntity,
  }));
  const start = performance.now();
  await db.knex.transaction(tx => insertRows(tx, FINDINGS, rows, 500));
  return { ms: performance.now() - start, rows: rows.length };
}

// ---------------------------------------------------------------------------
// The benchmark of one database

interface Reports {
  sarif: GeneratedReport;
  cdx: GeneratedReport;
}

async function timeRuns(runs: number, fn: () => Promise<unknown>) {
  const first = performance.now();
  await fn(); // the first (cold) call, reported apart
  const cold = performance.now() - first;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return { ...stats(samples), cold };
}

async function benchDatabase(
  db: BenchDatabase,
  reports: Reports,
  calibration: number,
) {
  const rows: Row[] = [];
  const notes: string[] = [];
  // What is appended to bench/results/ingest.jsonl, and each goal's verdict.
  const figures: Record<string, unknown> = {};
  const pass: Record<string, boolean> = {};
  rows.push(['Calibration: fixed CPU loop, M ops/s', calibration.toFixed(0)]);

  const migrated = performance.now();
  const { findings: store } = await createSecopsStores({
    database: {
      getClient: async () => db.knex,
      migrations: {},
    } as unknown as DatabaseService,
  });
  rows.push(['Migrations', fmtMs(performance.now() - migrated)]);

  const options = {
    ...readSecopsOptions(
      new ConfigReader({
        secops: {
          limits: { maxFindings: 200_000, maxReportBytes: 500 * 1024 * 1024 },
        },
      }),
    ),
  };
  const ingester = new ReportIngester(builtInParsers, store, options);

  // Warm-up, as a running backend would be: the real fixtures, once each.
  for (const dir of ['sarif', 'cyclonedx']) {
    for (const file of fs.readdirSync(path.join(REPO_ROOT, 'fixtures', dir))) {
      await ingester.ingest({
        entityRef: 'component:default/bench-warmup',
        tool: file.replace(/\..*$/, '').toLowerCase(),
        uploadedBy: 'user:default/bench',
        body: fs.readFileSync(path.join(REPO_ROOT, 'fixtures', dir, file)),
      });
    }
  }

  const cases = [
    {
      key: 'sarif',
      label: 'SARIF',
      report: reports.sarif,
      entityRef: 'component:default/bench-sarif',
      tool: 'semgrep',
      format: 'sarif',
    },
    {
      key: 'cyclonedx',
      label: 'CycloneDX',
      report: reports.cdx,
      entityRef: 'component:default/bench-sbom',
      tool: 'trivy',
      format: 'cyclonedx',
    },
  ];

  // 1. First ingest, and 2. the floor: REPEATS runs each, interleaved, every
  // run on a fresh entity ref (run 0 on c.entityRef, kept for the re-ingest
  // and the entity tab). The goals are judged on the medians.
  for (const c of cases) {
    const ingests: Array<{
      ms: number;
      created: number;
      baseline: number;
      peak: number;
    }> = [];
    const floors: Array<{ ms: number; rows: number }> = [];
    for (let i = 0; i < REPEATS; i++) {
      const entityRef = i === 0 ? c.entityRef : `${c.entityRef}-run${i}`;
      log(`${db.knex.client.config.client}: ingest ${c.label} #${i + 1}`);
      const run = await withPeakRss(() =>
        ingester.ingest(
          {
            entityRef,
            tool: c.tool,
            format: c.format,
            uploadedBy: 'user:default/bench',
            body: c.report.body,
          },
          new Date(),
        ),
      );
      ingests.push({ ...run, created: run.value.created });
      log(`${db.knex.client.config.client}: floor ${c.label} #${i + 1}`);
      collectGarbage();
      floors.push(await floorInsert(db, c.entityRef, `-floor${i}`));
    }
    const created = ingests[0].created;
    const ingestMs = stats(ingests.map(r => r.ms)).median;
    const floorMs = stats(floors.map(r => r.ms)).median;
    const rate = created / (ingestMs / 1000);
    const ratio = ingestMs / floorMs;
    const all = (runs: Array<{ ms: number }>) =>
      runs.map(r => fmtMs(r.ms)).join(', ');
    pass[`${c.key}Rate`] = rate >= GOAL_RATE;
    pass[`${c.key}Ratio`] = ratio <= GOAL_FLOOR_RATIO;

    // Decode + parse alone, to split the wall time (no goal).
    const parser = builtInParsers.find(p => p.format === c.format)!;
    const parseRuns: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const parseStart = performance.now();
      parser.parse(JSON.parse(c.report.body.toString('utf8')), {
        maxFindings: options.maxFindings,
      });
      parseRuns.push(performance.now() - parseStart);
    }

    rows.push(
      [
        `${c.label} ingest: ${fmtInt(
          c.report.items,
        )} items -> findings created`,
        fmtInt(created),
      ],
      [
        `${c.label} ingest: wall time, median of ${REPEATS} (runs)`,
        `${fmtMs(ingestMs)} (${all(ingests)})`,
      ],
      [
        `${c.label} ingest: findings/s (median run)`,
        fmtInt(rate),
        `>= ${fmtInt(GOAL_RATE)}`,
        rate >= GOAL_RATE,
      ],
      [
        `${c.label}   of which JSON decode + parse alone, median`,
        fmtMs(stats(parseRuns).median),
      ],
      [
        `${c.label} ingest: peak RSS, 1st run (above baseline / absolute)`,
        `+${mib(ingests[0].peak - ingests[0].baseline)} / ${mib(
          ingests[0].peak,
        )}`,
      ],
      [
        `${c.label} ingest: peak RSS, max over runs (absolute)`,
        mib(Math.max(...ingests.map(r => r.peak))),
      ],
      [
        `${c.label} floor: bulk insert of the same ${fmtInt(
          floors[0].rows,
        )} rows, median (runs)`,
        `${fmtMs(floorMs)} (${all(floors)})`,
      ],
      [
        `${c.label} floor: rows/s (median run)`,
        fmtInt(floors[0].rows / (floorMs / 1000)),
      ],
      [
        `${c.label} ratio ingest / floor (medians)`,
        `${ratio.toFixed(2)}x`,
        `<= ${GOAL_FLOOR_RATIO}x`,
        ratio <= GOAL_FLOOR_RATIO,
      ],
    );
    figures[c.key] = {
      items: c.report.items,
      reportMiB: roundTo(c.report.body.length / 1024 / 1024, 1),
      created,
      ingestMs: roundTo(ingestMs),
      ingestRunsMs: ingests.map(r => roundTo(r.ms)),
      findingsPerS: roundTo(rate),
      parseMs: roundTo(stats(parseRuns).median),
      floorMs: roundTo(floorMs),
      floorRunsMs: floors.map(r => roundTo(r.ms)),
      floorRows: floors[0].rows,
      ratio: roundTo(ratio, 2),
      peakAboveMiB: roundTo(
        (ingests[0].peak - ingests[0].baseline) / 1024 / 1024,
      ),
      peakMiB: roundTo(Math.max(...ingests.map(r => r.peak)) / 1024 / 1024),
    };
  }

  // 3. Re-ingest of the same reports, REPEATS times.
  for (const c of cases) {
    log(`${db.knex.client.config.client}: re-ingest ${c.label}`);
    const before = await countRows(db.knex);
    const times: number[] = [];
    let result: IngestResult | undefined;
    for (let i = 0; i < REPEATS; i++) {
      const start = performance.now();
      result = await ingester.ingest({
        entityRef: c.entityRef,
        tool: c.tool,
        format: c.format,
        uploadedBy: 'user:default/bench',
        body: c.report.body,
      });
      times.push(performance.now() - start);
    }
    const added = (await countRows(db.knex)) - before;
    const t = stats(times);
    const caseFloorMs = (figures[c.key] as { floorMs: number }).floorMs;
    const reingestRatio = t.max / caseFloorMs;
    pass[`${c.key}Reingest`] = reingestRatio <= GOAL_REINGEST_RATIO;
    pass[`${c.key}ReingestNoNewRows`] = added === 0;
    Object.assign(figures[c.key] as object, {
      reingestMaxMs: roundTo(t.max),
      reingestMedianMs: roundTo(t.median),
      reingestAddedRows: added,
      reingestRatio: roundTo(reingestRatio, 2),
    });
    rows.push(
      [
        `${c.label} re-ingest: time, 1st / median / max of ${REPEATS}`,
        `${fmtMs(times[0])} / ${fmtMs(t.median)} / ${fmtMs(t.max)}`,
      ],
      [
        `${c.label} ratio re-ingest (max) / floor (median)`,
        `${reingestRatio.toFixed(2)}x`,
        `<= ${GOAL_REINGEST_RATIO}x`,
        reingestRatio <= GOAL_REINGEST_RATIO,
      ],
      [
        `${c.label} re-ingest: new rows (count before -> after)`,
        `${added} (${fmtInt(before)} -> ${fmtInt(before + added)})`,
        '0',
        added === 0,
      ],
      [
        `${c.label} re-ingest: last result created/reopened/unchanged/fixed`,
        `${result!.created}/${result!.reopened}/${fmtInt(result!.unchanged)}/${
          result!.fixed
        }`,
      ],
    );
  }

  // 4. ~1M findings, then the entity tab's calls.
  log(`${db.knex.client.config.client}: filling the store`);
  const fill = await fillStore(db, new Date(), {
    rows: FILL_ROWS,
    entities: FILL_ENTITIES,
    budgetMs: FILL_BUDGET_MS,
    log,
  });
  if (db.knex.client.config.client === 'pg') {
    // What autovacuum would have done a minute after such a load.
    await db.knex.raw('analyze secops_findings');
    await db.knex.raw('analyze secops_scans');
    notes.push(
      'PostgreSQL: ANALYZE run after the bulk fill (as autovacuum would).',
    );
  }
  const total = await countRows(db.knex);
  const fillRate = fill.rows / (fill.ms / 1000);
  rows.push([
    `Store fill: ${fmtInt(fill.rows)} rows over ${fmtInt(
      fill.entities,
    )} entities`,
    fmtMs(fill.ms),
  ]);
  rows.push(['Store fill: rows/s', fmtInt(fillRate)]);
  rows.push([
    'Findings in the store (count(*))',
    fmtInt(total),
    '>= 1,000,000 (set-up)',
    total >= 1_000_000,
  ]);
  pass.storeFilled = total >= 1_000_000;
  Object.assign(figures, {
    fillRows: fill.rows,
    fillEntities: fill.entities,
    fillMs: roundTo(fill.ms),
    fillStoppedEarly: fill.stoppedEarly,
    findingsInStore: total,
  });
  if (fill.stoppedEarly) {
    notes.push(
      `The store fill stopped at its ${
        FILL_BUDGET_MS / 1000
      } s budget: ${fmtInt(
        total,
      )} findings in the store instead of ~1,000,000 (projected full fill ${fmtMs(
        (FILL_ROWS / fillRate) * 1000,
      )}).`,
    );
  }

  const now = new Date();
  const cutoffs = overdueCutoffs(options, now);
  const tabEntities = [
    {
      label: `entity with ${fill.perEntity} findings`,
      entityRef: `component:default/bench-fill-${String(
        Math.min(777, fill.entities - 1),
      ).padStart(4, '0')}`,
      key: 'entityTab',
      goal: true,
    },
    {
      label: `entity with ${fmtInt(
        await countRows(db.knex, 'component:default/bench-sarif'),
      )} findings (the SARIF one)`,
      entityRef: 'component:default/bench-sarif',
      key: 'sarifEntityTab',
      goal: false,
    },
  ];
  for (const e of tabEntities) {
    log(`${db.knex.client.config.client}: entity tab queries, ${e.label}`);
    const calls: Array<[string, string, () => Promise<unknown>]> = [
      [
        'list',
        'listFindings({ limit: 50 })',
        () => store.listFindings({ entityRef: e.entityRef, limit: 50 }),
      ],
      [
        'listOpen',
        "listFindings({ status: 'open', limit: 20 }) (tab default)",
        () =>
          store.listFindings({
            entityRef: e.entityRef,
            status: 'open',
            limit: 20,
          }),
      ],
      [
        'count',
        'countFindings(entityRef, SLA cutoffs) (summary)',
        () => store.countFindings(e.entityRef, cutoffs),
      ],
    ];
    const tab: Record<string, number> = {};
    for (const [key, name, fn] of calls) {
      const t = await timeRuns(QUERY_RUNS, fn);
      rows.push([
        `${e.label}: ${name} median / p95 (cold)`,
        `${fmtMs(t.median)} / ${fmtMs(t.p95)} (${fmtMs(t.cold)})`,
        e.goal ? `p95 < ${GOAL_TAB_MS} ms` : '(info)',
        e.goal ? t.p95 < GOAL_TAB_MS : undefined,
      ]);
      tab[`${key}P95Ms`] = roundTo(t.p95, 1);
      tab[`${key}MedianMs`] = roundTo(t.median, 1);
      if (e.goal) {
        const goal = `${e.key}${key[0].toUpperCase()}${key.slice(1)}`;
        pass[goal] = t.p95 < GOAL_TAB_MS;
      }
    }
    figures[e.key] = tab;
  }
  notes.push(
    'Peak RSS is sampled every 10 ms from a worker thread (RSS is per process). V8 and malloc do not hand memory back at once, so "above baseline" is understated for runs after the first; compare the absolute figure with a memory limit.',
  );
  const note = await db.describe(FINDINGS);
  notes.push(note);
  notes.push(
    `Load average at the end: ${loadAverage()} (other processes share the ${
      os.cpus().length
    } CPUs).`,
  );
  return { rows, notes, figures: { ...figures, pass, note } };
}

// ---------------------------------------------------------------------------

/**
 * Both databases: each in a fresh node process of its own, so that the
 * memory (and JIT) figures of one do not carry over into the other.
 */
function runEachInItsOwnProcess(): number {
  let failed = 0;
  for (const only of ['sqlite', 'postgres']) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, __filename],
      { stdio: 'inherit', env: { ...process.env, BENCH_ONLY: only } },
    );
    if (child.status !== 0) failed++;
  }
  return failed ? 1 : 0;
}

async function main() {
  const only = process.env.BENCH_ONLY;
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  if (!only && pgUrl) {
    await stopSampler();
    process.exitCode = runEachInItsOwnProcess();
    return;
  }
  const calibration = calibrate();
  console.log(
    `SecOps ingestion benchmark — ${machineLine(calibration)}, ${mib(
      os.totalmem(),
    )} RAM${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc)'}`,
  );

  log('generating reports');
  let start = performance.now();
  const sarif = generateSarif({
    results: 25_000,
    rules: 300,
    files: 400,
    seed: 1,
  });
  const sarifMs = performance.now() - start;
  start = performance.now();
  const cdx = generateCycloneDx({
    components: 1500,
    vulnerabilities: 5000,
    seed: 2,
  });
  const cdxMs = performance.now() - start;
  console.log(
    `Generated SARIF: ${fmtInt(
      sarif.items,
    )} results, 300 rules, 400 files, ${mib(sarif.body.length)} (${fmtMs(
      sarifMs,
    )}); CycloneDX 1.5: ${fmtInt(
      cdx.items,
    )} vulnerabilities, 1,500 components, ${mib(cdx.body.length)} (${fmtMs(
      cdxMs,
    )})`,
  );

  const targets: Array<() => Promise<BenchDatabase>> = [];
  if (only !== 'postgres') targets.push(() => openSqliteBench('secops'));
  if (only !== 'sqlite') {
    if (pgUrl) {
      targets.push(() => openPostgresBench(pgUrl));
    } else {
      console.log(
        '\nPostgreSQL skipped: set BENCH_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:55999) to run it.',
      );
    }
  }

  let failed = false;
  for (const open of targets) {
    const db = await open();
    const began = performance.now();
    try {
      const { rows, notes, figures } = await benchDatabase(
        db,
        { sarif, cdx },
        calibration,
      );
      const totalMs = performance.now() - began;
      rows.push(['Total time on this database', fmtMs(totalMs)]);
      printTable(db.name, rows);
      for (const note of notes) console.log(`  note: ${note}`);
      appendResult(
        'ingest',
        {
          code: CODE,
          database:
            db.knex.client.config.client === 'pg' ? 'postgres' : 'sqlite',
          calibration,
        },
        { totalMs: roundTo(totalMs), ...figures },
      );
    } catch (error) {
      failed = true;
      console.error(`\n${db.name}: the benchmark failed`, error);
    } finally {
      await db.close();
    }
  }
  await stopSampler();
  process.exitCode = failed ? 1 : 0;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
