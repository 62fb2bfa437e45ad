/*
 * FinOps benchmark (not a test). For SQLite, and for PostgreSQL when
 * BENCH_POSTGRES_URL names a server:
 *
 *   1. import 2,000 components x 400 days x 5 services (4,000,000 cost
 *      rows) through the FOCUS import, one billing export file per month as
 *      the clouds write them (written first, not timed): rows per second
 *      and peak memory;
 *   2. the group tab for the top of the tree (the organisation: every
 *      component) and the finance page: median and p95 over 10 runs.
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
  fmtMs,
  mib,
  openPostgresBench,
  openSqliteBench,
  stopSampler,
  withPeakRss,
} from '@portal/test-utils/bench';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { addDays, FinopsStore } from '../src/database/FinopsStore';
import { readFocusCsv } from '../src/focus/focus';
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
const GOAL_ROWS_PER_S = 50_000;
const GOAL_MS = 200;
const RUNS = 10;

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

async function bench(db: BenchDatabase) {
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
  log(`${db.name}: importing ${months.size} monthly exports`);
  let rows = 0;
  const imported = await withPeakRss(async () => {
    for (const [month, file] of files) {
      const result = await readFocusCsv(fs.createReadStream(file), {
        tagKey: TAG,
        costColumn: 'EffectiveCost',
        currency: 'USD',
        maxRows: 10_000_000,
      });
      rows += await store.replaceDays({
        source: 'focus:bench',
        from: result.from!,
        to: result.to!,
        rows: result.rows,
      });
      log(`  ${month}: ${fmtInt(result.rowsRead)} lines`);
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
  line(
    `FOCUS import: ${fmtInt(rows)} cost rows in ${months.size} monthly files`,
    fmtMs(imported.ms),
  );
  line(
    'FOCUS import: rows/s',
    fmtInt(rate),
    `>= ${fmtInt(GOAL_ROWS_PER_S)}`,
    rate >= GOAL_ROWS_PER_S,
  );
  line(
    'FOCUS import: peak RSS (above baseline / absolute)',
    `+${mib(imported.peak - imported.baseline)} / ${mib(imported.peak)}`,
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
  console.log(`  note: ${await db.describe('finops_cost_lines')}`);
  return (
    rate >= GOAL_ROWS_PER_S &&
    groupTab.p95 < GOAL_MS &&
    financePage.p95 < GOAL_MS
  );
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
  console.log(
    `FinOps benchmark — node ${process.version}, ${
      os.cpus().length
    } CPUs; ${fmtInt(COMPONENTS)} components x ${DAYS} days x ${
      SERVICES.length
    } services`,
  );
  const db =
    only === 'postgres' && pgUrl
      ? await openPostgresBench(pgUrl)
      : await openSqliteBench('finops');
  try {
    process.exitCode = (await bench(db)) ? 0 : 1;
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
