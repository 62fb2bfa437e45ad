/*
 * Scorecards benchmark (not a test; issue 15: evaluating every check for
 * 5,000 entities in under 60 s, the leaderboard and a team's scorecard
 * p95 under 200 ms). For SQLite, and for PostgreSQL when BENCH_POSTGRES_URL
 * names a server:
 *
 *   1. 1,000,000 findings over 5,000 entities (fill.ts), a catalog of those
 *      5,000 owned by 400 teams under 40 departments;
 *   2. the floor: one grouped count of the open findings of every entity
 *      (the least any check over findings reads), median of 5;
 *   3. Scorecards.evaluateAll (the eight built-in checks, stored with the
 *      day's roll-ups; approved exemptions on one open finding in a
 *      hundred, half of them expired), 3 runs: median, and the ratio to
 *      the floor;
 *   4. the leaderboard (a page of 25 teams with the week's change) and a
 *      team's scorecard (its roll-up and the levels of its entities), 100
 *      calls each after 10 to warm up: p95.
 *
 *   BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5499 yarn bench:scorecards
 *
 * Optional: BENCH_FILL_ROWS (default 1000000), BENCH_FILL_BUDGET_S (240),
 * BENCH_ONLY=sqlite|postgres, BENCH_NO_RECORD=1 (appends nothing to
 * bench/results/scorecards.jsonl).
 */
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { GroupTree, OwnershipService } from '@portal/catalog-ownership';
import { readSecopsOptions } from '../src/service/options';
import { ConfigReader } from '@backstage/config';
import {
  BenchDatabase,
  fmtMs,
  openPostgresBench,
  openSqliteBench,
  stopSampler,
} from '@portal/test-utils/bench';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
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
import { builtInChecks } from '../src/scorecards/builtInChecks';
import { Scorecards } from '../src/scorecards/Scorecards';
import {
  DastExposureService,
  KubernetesIngresses,
} from '../src/service/DastExposure';
import { fillEntityRef } from './fill';
import { filledStores, floorSamples, median, p95, pagedCatalog } from './setup';

const ENTITIES = 5000;
const TEAMS = 400;
const DEPARTMENTS = 40;
const FILL_ROWS = Number(process.env.BENCH_FILL_ROWS ?? 1_000_000);
const FILL_BUDGET_MS = Number(process.env.BENCH_FILL_BUDGET_S ?? 240) * 1000;
const EVALUATIONS = 3;
const DAY_MS = 86_400_000;
const CALLS = 100;
const WARM_UP = 10;
const EVALUATE_GOAL_MS = 60_000;
const API_GOAL_MS = 200;

const log = (message: string) =>
  process.stderr.write(
    `[${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );

const teamRef = (i: number) => `group:default/team-${i}`;
const departmentRef = (i: number) => `group:default/department-${i}`;

/** The filled entities: one in three internet-facing, half with docs. */
function entitiesOf(count: number): Entity[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: fillEntityRef(i).split('/')[1],
      namespace: 'default',
      annotations: {
        ...(i % 2 ? { 'backstage.io/techdocs-ref': 'dir:.' } : {}),
        ...(i % 3 === 0 ? { 'portal.io/internet-facing': 'true' } : {}),
      },
    },
    spec: {
      type: 'service',
      lifecycle: i % 2 ? 'production' : 'experimental',
      owner: teamRef(i % TEAMS),
    },
  }));
}

/** 400 teams under 40 departments, owning the entities round-robin. */
function ownershipOf(entities: Entity[]): OwnershipService {
  const group = (ref: string, type: string, parent?: string) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: ref.split('/')[1], namespace: 'default' },
    spec: { type, children: [] },
    relations: parent ? [{ type: 'childOf', targetRef: parent }] : [],
  });
  const tree = GroupTree.fromEntities([
    ...Array.from({ length: DEPARTMENTS }, (_, d) =>
      group(departmentRef(d), 'department'),
    ),
    ...Array.from({ length: TEAMS }, (_, t) =>
      group(teamRef(t), 'team', departmentRef(t % DEPARTMENTS)),
    ),
  ] as Entity[]);
  const byTeam = new Map<string, Entity[]>();
  entities.forEach(entity => {
    const owner = entity.spec!.owner as string;
    byTeam.set(owner, [...(byTeam.get(owner) ?? []), entity]);
  });
  return {
    tree: async () => tree,
    ownedEntitiesByGroup: async (refs: string[]) =>
      new Map(
        refs.map(ref => [
          ref,
          ref.includes('department-')
            ? Array.from({ length: TEAMS }, (_, t) => t)
                .filter(t => departmentRef(t % DEPARTMENTS) === ref)
                .flatMap(t => byTeam.get(teamRef(t)) ?? [])
            : byTeam.get(ref) ?? [],
        ]),
      ),
  } as unknown as OwnershipService;
}

/**
 * Approved exemptions on one open finding in a hundred, half of them
 * expired (what the exemptions check reads), written in one pass.
 */
async function addExemptions(db: BenchDatabase): Promise<number> {
  const now = Date.now();
  const findings: Array<{ id: number | string; entity_ref: string }> = await db
    .knex('secops_findings')
    .where('status', 'open')
    .whereRaw('id % 100 = 0')
    .select('id', 'entity_ref');
  const rows = findings.map((f, i) => ({
    id: randomUUID(),
    finding_id: f.id,
    entity_ref: f.entity_ref,
    justification: 'A compensating control is in place.',
    requested_by: 'user:default/bench',
    requested_at: new Date(now - 60 * DAY_MS),
    expires_at: new Date(now + (i % 2 ? 30 : -5) * DAY_MS),
    status: 'approved',
    decided_by: 'user:default/security-lead',
    decided_at: new Date(now - 59 * DAY_MS),
  }));
  // SQLite's compound SELECT takes at most 500 rows; PostgreSQL, as many
  // as its bind parameters allow.
  await db.knex.batchInsert('secops_exemptions', rows, 400);
  return rows.length;
}

async function benchDatabase(
  db: BenchDatabase,
  calibration: number,
  code: ReturnType<typeof codeVersion>,
) {
  const { stores, fill } = await filledStores(db, {
    rows: FILL_ROWS,
    entities: ENTITIES,
    budgetMs: FILL_BUDGET_MS,
    log,
  });
  const entities = entitiesOf(fill.entities);
  const exemptions = await addExemptions(db);
  log(`${db.name}: ${exemptions} approved exemptions, half of them expired`);
  const floor = await floorSamples(db, 5);

  const logger = {
    info: () => {},
    warn: (m: string) => log(m),
    error: (m: string) => log(m),
    debug: () => {},
    child: () => logger,
  };
  const options = readSecopsOptions(new ConfigReader({}));
  const exposure = new DastExposureService({
    findings: stores.findings,
    ingresses: new KubernetesIngresses({ clusters: [], logger: logger as any }),
    options: { maxAgeDays: 30, dastTools: ['zap'] },
  });
  const scorecards = new Scorecards(
    {
      store: stores.scorecards,
      catalog: pagedCatalog(entities),
      auth: {
        getOwnServiceCredentials: async () => ({
          $$type: '@backstage/BackstageCredentials',
          principal: { type: 'service', subject: 'bench' },
        }),
      } as never,
      groups: ownershipOf(entities),
      logger: logger as any,
    },
    builtInChecks({
      findings: stores.findings,
      exemptions: stores.exemptions,
      gateDecisions: stores.gateDecisions,
      exposure,
      gates: async () => [
        {
          name: 'default',
          match: {},
          rules: [
            { severity: 'critical', maxOpen: 17 },
            { severity: 'high', maxOpen: 50, maxAgeDays: 30 },
          ],
        },
      ],
      options,
    }),
  );

  const evaluations: number[] = [];
  let summary;
  for (let i = 0; i < EVALUATIONS; i++) {
    const start = performance.now();
    summary = await scorecards.evaluateAll(new Date());
    evaluations.push(performance.now() - start);
    log(`${db.name}: evaluation ${i + 1} in ${fmtMs(evaluations[i])}`);
  }

  const time = async (fn: () => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < WARM_UP + CALLS; i++) {
      const start = performance.now();
      await fn();
      if (i >= WARM_UP) samples.push(performance.now() - start);
    }
    return samples;
  };
  const now = new Date();
  const leaderboard = await time(() =>
    scorecards.leaderboard({ offset: 0, limit: 25 }, now),
  );
  let team = 0;
  const teamCard = await time(() => {
    const ref = teamRef(team++ % TEAMS);
    const owned = entities.filter(e => e.spec!.owner === ref);
    return scorecards.groupLevels(ref, owned);
  });
  const entityCard = await time(() =>
    scorecards.entityScorecard(
      stringifyEntityRef(entities[team++ % entities.length]),
      now,
    ),
  );

  const figures = {
    entities: fill.entities,
    findings: fill.rows,
    checks: summary!.checks,
    results: summary!.results,
    floorMs: roundTo(median(floor), 1),
    evaluateMs: roundTo(median(evaluations)),
    evaluateVsFloor: roundTo(median(evaluations) / median(floor), 1),
    leaderboardP95Ms: roundTo(p95(leaderboard), 1),
    teamScorecardP95Ms: roundTo(p95(teamCard), 1),
    entityScorecardP95Ms: roundTo(p95(entityCard), 1),
  };
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
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
    `  evaluate ${summary!.checks} checks over ${fill.entities} entities (${
      summary!.results
    } results): median ${fmtMs(median(evaluations))}, ${
      figures.evaluateVsFloor
    }x the floor; goal < ${fmtMs(EVALUATE_GOAL_MS)}: ${verdict(
      median(evaluations) < EVALUATE_GOAL_MS,
    )}`,
  );
  console.log(
    `  leaderboard p95 ${fmtMs(
      p95(leaderboard),
    )}, a team's scorecard p95 ${fmtMs(
      p95(teamCard),
    )}, an entity's scorecard p95 ${fmtMs(p95(entityCard))}; goal < ${fmtMs(
      API_GOAL_MS,
    )}: ${verdict(
      p95(leaderboard) < API_GOAL_MS && p95(teamCard) < API_GOAL_MS,
    )}`,
  );
  appendResult(
    'scorecards',
    {
      code,
      database: db.knex.client.config.client === 'pg' ? 'postgres' : 'sqlite',
      calibration,
    },
    figures,
  );
}

async function main() {
  await stopSampler();
  const code = codeVersion('plugins/secops-backend');
  const calibration = calibrate();
  console.log(`Scorecards benchmark: ${machineLine(calibration)}`);
  const only = process.env.BENCH_ONLY;
  const pgUrl = process.env.BENCH_POSTGRES_URL;
  const targets: Array<() => Promise<BenchDatabase>> = [];
  if (only !== 'postgres') targets.push(() => openSqliteBench('scorecards'));
  if (only !== 'sqlite') {
    if (pgUrl) targets.push(() => openPostgresBench(pgUrl));
    else console.log('PostgreSQL skipped: set BENCH_POSTGRES_URL to run it.');
  }
  for (const open of targets) {
    const db = await open();
    try {
      await benchDatabase(db, calibration, code);
    } finally {
      await db.close();
    }
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
