/*
 * What the benchmarks measure with: peak RSS sampled every 10 ms from a
 * worker thread (parsing and better-sqlite3 queries block the main thread;
 * RSS is per process, so the worker sees the main thread's memory), and how
 * they print figures.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const peakShared = new Float64Array(new SharedArrayBuffer(8));
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const peak = new Float64Array(workerData);
   setInterval(() => {
     const rss = process.memoryUsage.rss();
     if (rss > peak[0]) peak[0] = rss;
   }, 10);`,
  { eval: true, workerData: peakShared.buffer, execArgv: [] },
);
sampler.unref();

export async function stopSampler() {
  await sampler.terminate();
}

/** A full collection, when node runs with --expose-gc. */
export function collectGarbage() {
  (globalThis as { gc?: () => void }).gc?.();
}

export function sleep(ms: number) {
  return new Promise(r => setTimeout(r, ms));
}

/** Runs fn and gives its time and the RSS before it and at its peak. */
export async function withPeakRss<T>(fn: () => Promise<T>) {
  collectGarbage();
  await sleep(30);
  const baseline = process.memoryUsage.rss();
  peakShared[0] = baseline;
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  await sleep(15);
  const peak = Math.max(peakShared[0], process.memoryUsage.rss());
  return { value, ms, baseline, peak };
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export const fmtMs = (ms: number) =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
