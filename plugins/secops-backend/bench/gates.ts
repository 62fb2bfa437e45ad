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
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
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
import { createSecopsStores } from '../src/database/createSecopsStores';
import { GatePolicies } from '../src/service/GatePolicies';
import { fillEntityRef, fillStore } from './fill';

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

/** The catalog of the filled entities: half in production. */
function catalogOf(count: number): CatalogService {
  const entities: Entity[] = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: fillEntityRef(i).split('/')[1], namespace: 'default' },
    spec: {
      type: 'service',
      lifecycle: i % 2 ? 'production' : 'experimental',
      owner: `group:default/team-${i % 400}`,
    },
  }));
  const PAGE = 500;
  return {
    async queryEntities(request: { cursor?: string; limit?: number }) {
      const offset = Number(request.cursor ?? 0);
      const items = entities.slice(offset, offset + (request.limit ?? PAGE));
      const next = offset + items.length;
      return {
        items,
        totalItems: entities.length,
        pageInfo: next < entities.length ? { nextCursor: String(next) } : {},
      };
    },
  } as unknown as CatalogService;
}

const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const p95 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)
  ];
};

async function benchDatabase(db: BenchDatabase) {
  const database = {
    getClient: async () => db.knex,
    migrations: { skip: false },
  } as unknown as DatabaseService;
  const stores = await createSecopsStores({ database });
  log(`${db.name}: filling ${FILL_ROWS.toLocaleString('en-US')} findings`);
  const fill = await fillStore(db, new Date(), {
    rows: FILL_ROWS,
    entities: ENTITIES,
    budgetMs: FILL_BUDGET_MS,
    log,
  });
  if (db.knex.client.config.client === 'pg') {
    await db.knex.raw('analyze');
  }

  // The floor: every entity's open findings counted in one pass.
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await db
      .knex('secops_findings')
      .where('status', 'open')
      .groupBy('entity_ref')
      .select('entity_ref')
      .count({ n: '*' });
    floor.push(performance.now() - start);
  }

  const policies = new GatePolicies({
    store: stores.gatePolicies,
    seed: CURRENT,
    findings: stores.findings,
    catalog: catalogOf(fill.entities),
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
