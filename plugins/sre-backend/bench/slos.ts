/*
 * SRE benchmark (not a test). A real Prometheus (Debian's package) with two
 * days of traffic of 100 services backfilled by promtool; 500 SLOs (five per
 * service) in the store on SQLite, and on PostgreSQL when BENCH_POSTGRES_URL
 * names a server:
 *
 *   0. a machine calibration figure (bench/record.ts), so that runs on
 *      different machines can be read side by side;
 *   1. a full evaluation of the 500 SLOs (6 windows each, 16 SLOs in
 *      flight): the first one (which also reads each new SLO's last week
 *      with range queries) and the median of the next five;
 *   2. the floor: the same instant queries, sent the same way (the same
 *      Prometheus client, 16 SLOs in flight, each SLO's windows one after
 *      the other) without the store or the arithmetic, median of five runs
 *      taken in turn with the evaluations; the evaluation's ratio to it
 *      (goal <= 2x: the store and the arithmetic at most as much again as
 *      the queries; the earlier goal, under 10 s, is printed beside it, as
 *      absolute times differ 2x between machines of the same kind);
 *   3. the group tab's API (GET /groups/:ns/:name/slos, first page, worst
 *      first, over all 500 SLOs): median and p95 over 20 calls.
 *
 * Every run appends its figures per database to bench/results/slos.jsonl
 * (commit, date, database, Node version, CPUs, load average, calibration);
 * `yarn bench:history slos` prints the last runs.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:slos
 */
import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityAuthorization,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';
import {
  BenchDatabase,
  fmtMs,
  openPostgresBench,
  openSqliteBench,
} from '@portal/test-utils/bench';
import express from 'express';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BURN_RATE_WINDOWS, SloDefinition } from '@portal/plugin-sre-common';
import {
  demoSamples,
  DemoService,
  LocalPrometheus,
  openMetricsOf,
} from '@portal/plugin-sre-backend-module-demo';
import { PrometheusSource } from '@portal/plugin-sre-node';
import { SreStore } from '../src/database/SreStore';
import { createRouter } from '../src/api/router';
import { SloDefinitions } from '../src/service/SloDefinitions';
import { eachLimited, SloEvaluator } from '../src/service/SloEvaluator';
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

const SERVICES = 100;
const SLOS_PER_SERVICE = 5;
const CONCURRENCY = 16;
const GOAL_EVALUATION_MS = 10_000;
const GOAL_EVALUATION_RATIO = 2;
const GOAL_API_MS = 200;
/** The commit the measured code is from, taken as the run starts. */
const CODE = codeVersion('plugins/sre-backend');
const log = (m: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`);

const services: DemoService[] = Array.from({ length: SERVICES }, (_, i) => ({
  service: `svc-${String(i).padStart(3, '0')}`,
  rps: 5 + (i % 20),
  errorRatio: 0.0005 * (1 + (i % 7)),
  slowRatio: 0.002 * (1 + (i % 5)),
  incidents:
    i % 10 === 0 ? [{ hoursAgo: 0.5, hours: 4, errorRatio: 0.08 }] : [],
}));

function definitions(): SloDefinition[] {
  const out: SloDefinition[] = [];
  for (const { service } of services) {
    const entityRef = `component:default/${service}`;
    const ok = `sum(rate(http_requests_total{service="${service}",code!~"5.."}[{{window}}]))`;
    const all = `sum(rate(http_requests_total{service="${service}"}[{{window}}]))`;
    const fast = `sum(rate(http_request_duration_seconds_bucket{service="${service}",le="0.3"}[{{window}}]))`;
    const count = `sum(rate(http_request_duration_seconds_count{service="${service}"}[{{window}}]))`;
    const slo = (
      name: string,
      target: number,
      good: string,
      total: string,
    ): SloDefinition => ({
      entityRef,
      name: `${service}-${name}`,
      displayName: name,
      target,
      window: '28d',
      sourceType: 'Prometheus',
      goodQuery: good,
      totalQuery: total,
    });
    out.push(
      slo('availability', 0.995, ok, all),
      slo('availability-strict', 0.999, ok, all),
      slo('latency', 0.99, fast, count),
      slo('latency-strict', 0.995, fast, count),
      slo('availability-week', 0.99, ok, all),
    );
  }
  return out.slice(0, SERVICES * SLOS_PER_SERVICE);
}

/** The benchmark's own log is enough. */
const quiet = {
  info: () => {},
  warn: (m: string) => log(m),
  error: (m: string) => log(m),
  debug: () => {},
  child: () => quiet,
} as unknown as LoggerService;

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1];

async function run(
  db: BenchDatabase,
  prometheus: LocalPrometheus,
  at: Date,
  calibration: number,
) {
  log(`— ${db.name}`);
  const store = await SreStore.create({
    database: {
      getClient: async () => db.knex,
      migrations: {},
    } as unknown as DatabaseService,
  });
  const defs = definitions();
  await store.replaceDefinitions(
    [...new Set(defs.map(d => d.entityRef))],
    defs,
  );
  const source = new PrometheusSource({
    name: 'bench',
    url: prometheus.url,
    timeoutMs: 30_000,
  });
  const evaluator = new SloEvaluator(
    store,
    [source],
    { concurrency: CONCURRENCY },
    quiet,
  );
  const first = await evaluator.evaluateAll(at);
  if (first.failed)
    throw new Error(`${first.failed} SLOs failed: ${first.firstError}`);
  // The floor: the evaluation's instant queries alone, as it sends them.
  const rawQueries = async (when: Date) => {
    const start = performance.now();
    await eachLimited(defs, CONCURRENCY, async definition => {
      await source.ratios(
        { good: definition.goodQuery, total: definition.totalQuery },
        [...new Set([...BURN_RATE_WINDOWS, definition.window])],
        when,
      );
    });
    return performance.now() - start;
  };
  await rawQueries(at); // warm, as the first evaluation warmed Prometheus
  const steady: number[] = [];
  const raw: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const when = new Date(at.getTime() + i * 60_000);
    // In turn, and each first in every other round.
    const evaluate = async () =>
      steady.push((await evaluator.evaluateAll(when)).durationMs);
    const floor = async () => raw.push(await rawQueries(when));
    if (i % 2) {
      await evaluate();
      await floor();
    } else {
      await floor();
      await evaluate();
    }
  }
  log(
    `first evaluation (with each SLO's week from range queries): ${fmtMs(
      first.durationMs,
    )}`,
  );
  log(
    `full evaluation of ${defs.length} SLOs, median of 5: ${fmtMs(
      median(steady),
    )}; the same queries alone: ${fmtMs(median(raw))}`,
  );

  // The group tab's route, as the backend serves it (catalog answers are
  // in memory: the group owns every service).
  const owned: Entity[] = services.map(s => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: s.service, namespace: 'default' },
    spec: {},
  }));
  const router = await createRouter({
    httpAuth: { credentials: async () => ({}) } as any,
    permissions: { authorize: async () => [{ result: 'ALLOW' }] } as any,
    authorization: new EntityAuthorization({
      authorizeConditional: async () => [{ result: 'ALLOW' }],
    } as any),
    auth: {} as any,
    auditor: {} as any,
    catalog: {
      getEntityByRef: async () => ({
        kind: 'Group',
        metadata: { name: 'org' },
      }),
    } as any,
    hierarchy: {
      ownedEntities: async () => owned,
    } as unknown as OwnershipService,
    store,
    definitions: { currentProblems: () => [] } as unknown as SloDefinitions,
    evaluator,
    entityLabels: ['service'],
    linkTemplates: [],
    status: () => ({ configured: true, sources: [] }),
    // The caller is a person: no machine grant is asked for.
    machines: {
      classify: () => undefined,
      requireGrant: () => {},
    } as unknown as MachineIdentities,
  });
  const app = express().use(router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const url = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/groups/default/org/slos`;
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 22; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.json();
    if (!res.ok) {
      throw new Error(
        `group tab API answered ${res.status}: ${body?.error?.message}`,
      );
    }
    if (i >= 2) times.push(performance.now() - t0);
    total = body.totalCount;
  }
  server.close();
  log(
    `group tab API over ${total} SLOs: median ${fmtMs(
      median(times),
    )}, p95 ${fmtMs(p95(times))}`,
  );
  const result = {
    first: first.durationMs,
    evaluation: median(steady),
    raw: median(raw),
    ratio: median(steady) / median(raw),
    api: p95(times),
    apiMedian: median(times),
  };
  appendResult(
    'slos',
    {
      code: CODE,
      database: db.knex.client.config.client === 'pg' ? 'postgres' : 'sqlite',
      calibration,
    },
    {
      slos: defs.length,
      concurrency: CONCURRENCY,
      queriesPerEvaluation: defs.reduce(
        (n, d) => n + new Set([...BURN_RATE_WINDOWS, d.window]).size,
        0,
      ),
      firstEvaluationMs: roundTo(result.first),
      evaluationMs: roundTo(result.evaluation),
      evaluationRunsMs: steady.map(n => roundTo(n)),
      rawQueriesMs: roundTo(result.raw),
      rawRunsMs: raw.map(n => roundTo(n)),
      ratio: roundTo(result.ratio, 2),
      groupTabP95Ms: roundTo(result.api, 1),
      groupTabMedianMs: roundTo(result.apiMedian, 1),
      pass: {
        evaluationVsFloor: result.ratio <= GOAL_EVALUATION_RATIO,
        groupTab: result.api < GOAL_API_MS,
      },
    },
  );
  return result;
}

async function main() {
  const calibration = calibrate();
  log(`SRE benchmark — ${machineLine(calibration)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sre-bench-'));
  const end = Math.floor(Date.now() / 1000 / 3600) * 3600;
  log(
    `backfilling 2 days of ${SERVICES} services into a local Prometheus (promtool)`,
  );
  const t0 = performance.now();
  const prometheus = await LocalPrometheus.start({
    dir,
    history: () =>
      openMetricsOf(demoSamples(end - 2 * 86_400, end, 60, end, services)),
  });
  log(
    `Prometheus ready in ${fmtMs(performance.now() - t0)} at ${prometheus.url}`,
  );
  const results: Array<[string, Awaited<ReturnType<typeof run>>]> = [];
  try {
    const dbs: BenchDatabase[] = [await openSqliteBench('sre')];
    if (process.env.BENCH_POSTGRES_URL)
      dbs.push(await openPostgresBench(process.env.BENCH_POSTGRES_URL));
    for (const db of dbs) {
      try {
        results.push([
          db.name,
          await run(db, prometheus, new Date(end * 1000), calibration),
        ]);
      } finally {
        await db.close();
      }
    }
  } finally {
    await prometheus.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\nSRE benchmark: 500 SLOs against a real Prometheus (calibration ${calibration.toFixed(
      0,
    )} M ops/s)`,
  );
  const verdicts: boolean[] = [];
  const ok = (pass: boolean) => {
    verdicts.push(pass);
    return pass ? 'PASS' : 'FAIL';
  };
  for (const [name, r] of results) {
    console.log(`  ${name}`);
    console.log(`    first evaluation (with history) ${fmtMs(r.first)}`);
    console.log(
      `    full evaluation ${fmtMs(r.evaluation)} (the earlier goal, under ${
        GOAL_EVALUATION_MS / 1000
      } s on this machine: ${
        r.evaluation < GOAL_EVALUATION_MS ? 'met' : 'missed'
      })`,
    );
    console.log(
      `    the same queries alone (floor) ${fmtMs(
        r.raw,
      )}; evaluation / floor ${r.ratio.toFixed(
        2,
      )}x (goal <= ${GOAL_EVALUATION_RATIO}x) ${ok(
        r.ratio <= GOAL_EVALUATION_RATIO,
      )}`,
    );
    console.log(
      `    group tab API p95 ${fmtMs(r.api)} (goal < ${GOAL_API_MS} ms) ${ok(
        r.api < GOAL_API_MS,
      )}`,
    );
  }
  if (verdicts.includes(false)) process.exitCode = 1;
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
