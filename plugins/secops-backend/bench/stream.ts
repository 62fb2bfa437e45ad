/*
 * Streaming benchmark (not a test). For SQLite, and for PostgreSQL when
 * BENCH_POSTGRES_URL names a server (each database in a node process of its
 * own, so that the memory figures of one do not carry over):
 *
 *   0. a machine calibration figure (bench/record.ts);
 *   1. a SARIF of about 100 MB, shaped like a CodeQL run (every result
 *      carries a code flow, which is what makes real SARIF files large),
 *      written to a temporary file (not timed);
 *   2. the streamed ingest: the file sent through the upload path as the
 *      route does it (spoolUpload writes it to a temporary file as it
 *      arrives, then ReportIngester reads that file as streams, in two
 *      passes) into a fresh store: wall time (the spooling included) and
 *      peak RSS above the baseline;
 *   3. the floor, the whole-document path: the file read whole, then the
 *      same ReportIngester with maxInMemoryBytes above the report's size
 *      (JSON.parse of the whole text, the parser over the document, the same
 *      store call) into another fresh store.
 *
 * BENCH_STREAM_RUNS runs of each (default 3), in turn (the streamed one
 * first in the first run, so that its memory is measured before the whole
 * document has raised the process's), each into a fresh database.
 *
 * Goals: streamed / whole <= 1.5x (medians); the streamed ingest's peak RSS
 * above the baseline (first run) below the report's size. Each database's
 * run appends its figures, with a `pass` per goal, to
 * bench/results/stream.jsonl (with the commit, date, database, Node
 * version, CPUs, load average and the calibration); `yarn bench:history
 * stream` prints the last runs.
 *
 *   yarn bench:stream                (BENCH_STREAM_MB=100 by default)
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:stream
 *   BENCH_STREAM_MB=5 BENCH_NO_RECORD=1 yarn bench:stream   (a smoke run)
 *
 * BENCH_ONLY=sqlite|postgres runs one database (the parent sets it for its
 * children, with BENCH_STREAM_REPORT and BENCH_STREAM_RESULTS naming the
 * report it wrote for both and its result count).
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSecopsStores } from '../src/database/createSecopsStores';
import { builtInParsers } from '../src/parsers';
import { ReportIngester } from '../src/service/ReportIngester';
import { readSecopsOptions, SecopsOptions } from '../src/service/options';
import { ReportSource, spoolUpload } from '../src/service/reportSource';
import { seededRandom } from './generate';
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

const TARGET_BYTES = Number(process.env.BENCH_STREAM_MB ?? 100) * 1024 * 1024;

/** Writes the report result by result; returns its size and result count. */
async function writeSarif(file: string) {
  const random = seededRandom(7);
  const out = fs.createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? undefined : new Promise(r => out.once('drain', r));
  const rules = Array.from({ length: 200 }, (_, i) => ({
    id: `js/rule-${i}`,
    name: `Rule${i}`,
    shortDescription: { text: `Rule ${i}: untrusted data reaches a sink` },
    fullDescription: { text: `A longer description of rule ${i}.` },
    defaultConfiguration: { level: random.pick(['error', 'warning', 'note']) },
    properties: { 'security-severity': String(random.int(10, 99) / 10) },
  }));
  await write(
    `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"CodeQL","rules":${JSON.stringify(
      rules,
    )}}},"results":[`,
  );
  let bytes = 0;
  let count = 0;
  while (bytes < TARGET_BYTES) {
    const file0 = `src/module${random.int(0, 999)}/file${random.int(0, 99)}.js`;
    const location = (line: number) => ({
      location: {
        physicalLocation: {
          artifactLocation: { uri: file0 },
          region: { startLine: line, startColumn: 5, endColumn: 40 },
        },
        message: { text: `step at line ${line}: value flows on` },
      },
    });
    const result = {
      ruleId: `js/rule-${random.int(0, 199)}`,
      ruleIndex: 0,
      message: { text: `Untrusted value ${random.hex(8)} reaches a sink.` },
      locations: [location(random.int(1, 5000))],
      partialFingerprints: { primaryLocationLineHash: random.hex(32) },
      codeFlows: [
        {
          threadFlows: [
            {
              locations: Array.from({ length: 12 }, () =>
                location(random.int(1, 5000)),
              ),
            },
          ],
        },
      ],
    };
    const text = `${count > 0 ? ',' : ''}${JSON.stringify(result)}`;
    bytes += text.length;
    count++;
    await write(text);
  }
  await write(']}]}');
  await new Promise(r => out.end(r));
  return { size: fs.statSync(file).size, results: count };
}

const REPO_ROOT = path.resolve(__dirname, '../../..');
const RUNS = Number(process.env.BENCH_STREAM_RUNS ?? 3);
const GOAL_RATIO = 1.5;
const MAX_FINDINGS = 500_000;

/** The commit the measured code is from, taken as the run starts. */
const CODE = codeVersion('plugins/secops-backend');

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

/** A fresh, migrated store on a database of the kind asked for. */
async function freshStore(which: string, pgUrl?: string) {
  const db: BenchDatabase =
    which === 'postgres' && pgUrl
      ? await openPostgresBench(pgUrl)
      : await openSqliteBench('secops-stream');
  const { findings } = await createSecopsStores({
    database: {
      getClient: async () => db.knex,
      migrations: {},
    } as unknown as DatabaseService,
  });
  return { db, store: findings };
}

interface Measured<T> {
  value: T;
  ms: number;
  baseline: number;
  peak: number;
}
type StreamedRun = Awaited<ReturnType<typeof streamedIngest>>;
type WholeRun = Awaited<ReturnType<typeof wholeIngest>>;

const upload = {
  entityRef: 'component:default/bench-stream',
  tool: 'codeql',
  uploadedBy: 'user:default/bench',
};

/**
 * The upload path: the file spooled as the route spools a request body,
 * then ingested from the spool with the portal's limit for reading whole
 * (so the report is read as streams). Counts the reads of the spool.
 */
async function streamedIngest(
  file: string,
  options: SecopsOptions,
  db: Awaited<ReturnType<typeof freshStore>>,
) {
  const ingester = new ReportIngester(builtInParsers, db.store, options);
  const start = performance.now();
  const report = await spoolUpload(
    fs.createReadStream(file),
    'identity',
    options,
  );
  const spoolMs = performance.now() - start;
  let reads = 0;
  const source: ReportSource = {
    size: report.size,
    sha256: report.sha256,
    chunks: () => {
      reads++;
      return report.chunks();
    },
  };
  try {
    const result = await ingester.ingest({ ...upload, body: source });
    return { result, spoolMs, reads };
  } finally {
    await report.dispose();
  }
}

/**
 * The floor: the file read whole, then the ingester's whole-document path
 * (maxInMemoryBytes above the report's size: JSON.parse, the parser over the
 * document, the same store call).
 */
async function wholeIngest(
  file: string,
  options: SecopsOptions,
  db: Awaited<ReturnType<typeof freshStore>>,
) {
  const start = performance.now();
  const body = await fs.promises.readFile(file);
  const readMs = performance.now() - start;
  const ingester = new ReportIngester(builtInParsers, db.store, {
    ...options,
    maxInMemoryBytes: body.length,
  });
  const result = await ingester.ingest({ ...upload, body });
  return { result, readMs };
}

/**
 * Warm-up, as a running backend would be: the repository's real SARIF
 * reports through both paths once, into a store thrown away (not timed).
 */
async function warmUp(which: string, options: SecopsOptions) {
  const dir = path.join(REPO_ROOT, 'fixtures/sarif');
  const target = await freshStore(which, process.env.BENCH_POSTGRES_URL);
  try {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      await streamedIngest(file, { ...options, maxInMemoryBytes: 0 }, target);
      await wholeIngest(file, options, target);
    }
  } finally {
    await target.db.close();
  }
}

async function benchDatabase(
  which: string,
  file: string,
  report: { size: number; results: number },
  calibration: number,
) {
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  const config = readSecopsOptions(
    new ConfigReader({
      secops: {
        limits: {
          maxFindings: MAX_FINDINGS,
          maxReportBytes: 4 * 1024 * 1024 * 1024,
          maxCompressedBytes: 4 * 1024 * 1024 * 1024,
        },
      },
    }),
  );
  // The portal's limit for reading whole (16 MiB by default), or just under
  // the report's size for a small run, so that the upload path streams.
  const options = {
    ...config,
    maxInMemoryBytes: Math.min(config.maxInMemoryBytes, report.size - 1),
  };

  log(`${which}: warm-up`);
  await warmUp(which, options);

  const streamed: Array<Measured<StreamedRun>> = [];
  const whole: Array<Measured<WholeRun>> = [];
  let dbName = '';
  let note = '';
  const measure = async (kind: 'streamed' | 'whole', run: number) => {
    log(`${which}: ${kind} ingest #${run + 1}`);
    const target = await freshStore(which, pgUrl);
    dbName = target.db.name;
    try {
      collectGarbage();
      if (kind === 'streamed') {
        streamed.push(
          await withPeakRss(() => streamedIngest(file, options, target)),
        );
      } else {
        whole.push(await withPeakRss(() => wholeIngest(file, config, target)));
      }
      note = await target.db.describe('secops_findings');
    } finally {
      await target.db.close();
    }
  };
  for (let run = 0; run < RUNS; run++) {
    // The streamed path first in the first run (its memory is measured
    // before the whole document's); then each first in every other run.
    if (run % 2 === 0) {
      await measure('streamed', run);
      await measure('whole', run);
    } else {
      await measure('whole', run);
      await measure('streamed', run);
    }
  }

  const streamedMs = median(streamed.map(r => r.ms));
  const wholeMs = median(whole.map(r => r.ms));
  const ratio = streamedMs / wholeMs;
  const streamedAbove = streamed[0].peak - streamed[0].baseline;
  const wholeAbove = whole[0].peak - whole[0].baseline;
  const created = streamed[0].value.result.created;
  const sameFindings = [...streamed, ...whole].every(
    r => r.value.result.created === created,
  );
  const pass = {
    ratio: ratio <= GOAL_RATIO,
    memory: streamedAbove < report.size,
    sameFindings,
  };

  const verdict = (ok?: boolean) => {
    if (ok === undefined) return '    ';
    return ok ? 'PASS' : 'MISS';
  };
  const line = (label: string, value: string, goal = '', ok?: boolean) =>
    console.log(
      `| ${label.padEnd(62)} | ${value.padStart(30)} | ${goal.padEnd(
        16,
      )} | ${verdict(ok)} |`,
    );
  const runs = (xs: Array<{ ms: number }>) =>
    xs.map(r => fmtMs(r.ms)).join(', ');
  console.log(`\n${dbName.replace(/, database .*\)$/, ')')}`);
  line('Calibration: fixed CPU loop, M ops/s', calibration.toFixed(0));
  line(
    `Report: CodeQL-shaped SARIF, ${fmtInt(report.results)} results`,
    mib(report.size),
  );
  line(
    'Findings created (each run, both paths)',
    fmtInt(created),
    'the same',
    sameFindings,
  );
  line(
    `Streamed (upload path), median of ${RUNS}`,
    `${fmtMs(streamedMs)} (${runs(streamed)})`,
  );
  line(
    '  of which spooling the upload, median',
    fmtMs(median(streamed.map(r => r.value.spoolMs))),
  );
  line(
    `  reads of the spooled file (maxInMemoryBytes ${mib(
      options.maxInMemoryBytes,
    )})`,
    String(streamed[0].value.reads),
  );
  line(
    `Floor: whole document (read, JSON.parse, parse, store), median`,
    `${fmtMs(wholeMs)} (${runs(whole)})`,
  );
  line(
    '  of which reading the file, median',
    fmtMs(median(whole.map(r => r.value.readMs))),
  );
  line(
    'Streamed / whole (medians)',
    `${ratio.toFixed(2)}x`,
    `<= ${GOAL_RATIO}x`,
    pass.ratio,
  );
  line(
    'Streamed: peak RSS, 1st run (above baseline / absolute)',
    `+${mib(streamedAbove)} / ${mib(streamed[0].peak)}`,
    `< +${mib(report.size)}`,
    pass.memory,
  );
  line(
    'Whole: peak RSS, 1st run (above baseline / absolute)',
    `+${mib(wholeAbove)} / ${mib(whole[0].peak)}`,
  );
  console.log(`  note: ${note}`);
  console.log(
    '  note: the whole path runs after the streamed one in the first run; V8 and malloc keep some of what the streamed run used, so its "above baseline" may be understated.',
  );

  appendResult(
    'stream',
    { code: CODE, database: which, calibration },
    {
      reportMiB: roundTo(report.size / 1024 / 1024, 1),
      results: report.results,
      findingsCreated: created,
      runs: RUNS,
      maxInMemoryBytes: options.maxInMemoryBytes,
      streamedMs: roundTo(streamedMs),
      streamedRunsMs: streamed.map(r => roundTo(r.ms)),
      spoolMs: roundTo(median(streamed.map(r => r.value.spoolMs))),
      spoolReads: streamed[0].value.reads,
      wholeMs: roundTo(wholeMs),
      wholeRunsMs: whole.map(r => roundTo(r.ms)),
      wholeReadMs: roundTo(median(whole.map(r => r.value.readMs))),
      ratio: roundTo(ratio, 2),
      streamedPeakAboveMiB: roundTo(streamedAbove / 1024 / 1024),
      streamedPeakMiB: roundTo(streamed[0].peak / 1024 / 1024),
      wholePeakAboveMiB: roundTo(wholeAbove / 1024 / 1024),
      wholePeakMiB: roundTo(whole[0].peak / 1024 / 1024),
      pass,
      note,
    },
  );
  return Object.values(pass).every(Boolean);
}

/** Each database in a node process of its own, on the one report. */
function runEachInItsOwnProcess(file: string, results: number): number {
  let failed = 0;
  for (const only of ['sqlite', 'postgres']) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, __filename],
      {
        stdio: 'inherit',
        env: {
          ...process.env,
          BENCH_ONLY: only,
          BENCH_STREAM_REPORT: file,
          BENCH_STREAM_RESULTS: String(results),
        },
      },
    );
    if (child.status !== 0) failed++;
  }
  return failed ? 1 : 0;
}

async function main() {
  const only = process.env.BENCH_ONLY;
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  const given = process.env.BENCH_STREAM_REPORT;
  const dir = given
    ? undefined
    : fs.mkdtempSync(path.join(os.tmpdir(), 'secops-stream-bench-'));
  const file = given ?? path.join(dir!, 'codeql.sarif');
  try {
    let report: { size: number; results: number };
    if (given) {
      report = {
        size: fs.statSync(file).size,
        results: Number(process.env.BENCH_STREAM_RESULTS),
      };
    } else {
      log(`writing a SARIF of about ${mib(TARGET_BYTES)}`);
      report = await writeSarif(file);
    }
    if (!only && pgUrl) {
      await stopSampler();
      process.exitCode = runEachInItsOwnProcess(file, report.results);
      return;
    }
    const calibration = calibrate();
    console.log(
      `Streaming benchmark — ${machineLine(calibration)}; SARIF: ${fmtInt(
        report.results,
      )} results with code flows, ${mib(report.size)}${
        (globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc)'
      }`,
    );
    const which = only === 'postgres' && pgUrl ? 'postgres' : 'sqlite';
    process.exitCode = (await benchDatabase(which, file, report, calibration))
      ? 0
      : 1;
    if (!pgUrl) {
      console.log(
        '\nPostgreSQL skipped: set BENCH_POSTGRES_URL (e.g. postgresql://postgres@127.0.0.1:55999) to run it.',
      );
    }
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await stopSampler();
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
