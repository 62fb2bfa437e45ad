/*
 * What every bench:* script records with its figures, so that runs on
 * different machines and days can be read side by side: a machine
 * calibration figure, the commit the measured code is from, and one line
 * per run appended to bench/results/<bench>.jsonl (`yarn bench:history
 * <bench>` prints them). Imported by the benchmarks, not by the plugins.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const REPO = path.resolve(__dirname, '..');

/** Keeps the calibration loop's result alive. */
let calibrationSink = 0;

/**
 * The machine calibration: a fixed integer loop (xorshift and a multiply),
 * million operations per second over about half a second, best of three.
 */
export function calibrate(): number {
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
  if (calibrationSink === 0.5) process.stdout.write(''); // never: keeps the loop
  return best;
}

function git(...args: string[]) {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The commit the measured code is from, to be taken as the run starts
 * (others may commit during a run of many minutes), and whether the given
 * paths had uncommitted changes then (the figures are of the working tree).
 */
export function codeVersion(...paths: string[]) {
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: !!git('status', '--porcelain', '--', ...paths),
  };
}

/** The machine, as a one-line heading of a run's output. */
export function machineLine(calibration: number): string {
  return `node ${process.version}, ${os.cpus().length} CPUs, load ${os
    .loadavg()
    .map(n => n.toFixed(2))
    .join(' ')}, calibration ${calibration.toFixed(0)} M ops/s`;
}

export const roundTo = (n: number, digits = 0) => Number(n.toFixed(digits));

/**
 * Appends one run to bench/results/<bench>.jsonl: the commit, date,
 * database, Node version, CPU count, load average and calibration first,
 * then the benchmark's own figures. BENCH_NO_RECORD=1 skips it.
 */
export function appendResult(
  bench: string,
  run: {
    code: { commit?: string; dirty: boolean };
    database: string;
    calibration: number;
  },
  figures: Record<string, unknown>,
): void {
  const record = {
    bench,
    commit: run.code.commit,
    dirty: run.code.dirty,
    date: new Date().toISOString(),
    database: run.database,
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg().map(n => roundTo(n, 2)),
    calibrationMops: roundTo(run.calibration),
    ...figures,
  };
  if (process.env.BENCH_NO_RECORD === '1') return;
  const file = path.join(REPO, 'bench/results', `${bench}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
  console.log(`  appended to ${path.relative(REPO, file)}`);
}
