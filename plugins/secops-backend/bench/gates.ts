/*
 * Gate policy what-if benchmark (not a test; issue 15: the preview of a
 * gate policy change across the organisation in under 2 s at 5,000
 * entities and 1,000,000 findings). For SQLite, and for PostgreSQL when
 * BENCH_POSTGRES_URL names a server:
 *
 *   1. 1,000,000 findings over 5,000 entities (fill.ts: tools, severities,
 *      ages over 400 days, 15% fixed), and a catalog of those 5,000;
 *   2. the floor: one grouped count of the open findings of every entity
 *      (the least a preview must read), median of 5 runs;
 *   3. GatePolicies.preview of a change (stricter for production, looser
 *      for the rest; four distinct rules to count) against the current
 *      policies, median and p95 of 5 runs, and the ratio to the floor.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:55999 yarn bench:gates
 *
 * Optional: BENCH_FILL_ROWS (default 1000000), BENCH_FILL_BUDGET_S (default
 * 240), BENCH_ONLY=sqlite|postgres.
 */
import { Entity } from '@backstage/catalog-model';
import { GatePolicy } from '@portal/plugin-secops-common';
import {
  BenchDatabase,
  fmtMs,
  openPostgresBench,
  openSqliteBench,
  stopSampler,
} from '@portal/test-utils/bench';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { GatePolicies } from '../src/service/GatePolicies';
import { fillEntityRef } from './fill';
import { filledStores, floorSamples, median, p95, pagedCatalog } from './setup';

const ENTITIES = 5000;
const FILL_ROWS = Number(process.env.BENCH_FILL_ROWS ?? 1_000_000);
const FILL_BUDGET_MS = Number(process.env.BENCH_FILL_BUDGET_S ?? 240) * 1000;
const RUNS = 5;
const GOAL_MS = 2000;

const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

/*
 * The filled entities have about 200 findings each (10% critical, 20% high,
 * 85% open, first seen over 400 days): about 17 open criticals and 51 open
 * highs or worse. The thresholds sit near those numbers, so that entities
 * fail and pass on both sides and the preview has changes to find.
 */
const CURRENT: GatePolicy[] = [
  {
    name: 'default',
    match: {},
    rules: [
      { severity: 'critical', maxOpen: 17 },
      { severity: 'high', maxOpen: 50, maxAgeDays: 30 },
    ],
  },
];

/** Stricter for production, looser for the rest. */
const PROPOSED: GatePolicy[] = [
  {
    name: 'production',
    match: { lifecycle: ['production'] },
    rules: [
      { severity: 'critical', maxOpen: 15 },
      { severity: 'high', maxOpen: 45, maxAgeDays: 14 },
      { severity: 'medium', maxOpen: 130, maxAgeDays: 90 },
    ],
  },
  {
    name: 'default',
    match: {},
    rules: [
      { severity: 'critical', maxOpen: 19 },
      { severity: 'high', maxOpen: 55, maxAgeDays: 30 },
    ],
  },
];

/** The filled entities: half in production. */
function entitiesOf(count: number): Entity[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: fillEntityRef(i).split('/')[1], namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: i % 2 ? 'production' : 'experimental',
      owner: `group:default/team-${i % 400}`,
    },
  }));
}

async function benchDatabase(db: BenchDatabase) {
  const { stores, fill } = await filledStores(db, {
    rows: FILL_ROWS,
    entities: ENTITIES,
    budgetMs: FILL_BUDGET_MS,
    log,
  });
  const floor = await floorSamples(db, RUNS);

  const policies = new GatePolicies({
    store: stores.gatePolicies,
    seed: CURRENT,
    findings: stores.findings,
    catalog: pagedCatalog(entitiesOf(fill.entities)),
    auth: {
      getOwnServiceCredentials: async () => ({
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'service', subject: 'bench' },
      }),
    } as never,
  });
  const runs: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    last = await policies.preview(PROPOSED);
    runs.push(performance.now() - start);
  }
  const ratio = median(runs) / median(floor);
  console.log(`\n${db.name}`);
  console.log(
    `  filled: ${fill.rows.toLocaleString('en-US')} findings over ${
      fill.entities
    } entities${fill.stoppedEarly ? ' (stopped by the time budget)' : ''}`,
  );
  console.log(
    `  floor (one grouped count of open findings): median ${fmtMs(
      median(floor),
    )}`,
  );
  console.log(
    `  preview of a change (4 distinct rules to count): median ${fmtMs(
      median(runs),
    )}, p95 ${fmtMs(p95(runs))}; ${ratio.toFixed(2)}x the floor; goal < ${fmtMs(
      GOAL_MS,
    )}: ${median(runs) < GOAL_MS ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  it found: ${last!.failingBefore} failing now, ${
      last!.failingAfter
    } after; ${last!.newlyFailingCount} newly failing, ${
      last!.newlyPassingCount
    } newly passing`,
  );
  console.log(`  ${await db.describe('secops_findings')}`);
}

async function main() {
  await stopSampler();
  console.log(
    `Gate policy what-if benchmark: node ${process.version}, ${
      os.cpus().length
    } CPUs, load average ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`,
  );
  const only = process.env.BENCH_ONLY;
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  const targets: Array<() => Promise<BenchDatabase>> = [];
  if (only !== 'postgres') targets.push(() => openSqliteBench('gates'));
  if (only !== 'sqlite') {
    if (pgUrl) targets.push(() => openPostgresBench(pgUrl));
    else console.log('PostgreSQL skipped: set BENCH_POSTGRES_URL to run it.');
  }
  for (const open of targets) {
    const db = await open();
    try {
      await benchDatabase(db);
    } finally {
      await db.close();
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
