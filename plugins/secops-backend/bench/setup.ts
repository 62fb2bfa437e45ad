/*
 * What the SecOps benchmarks over a filled store share: the store filled
 * and analysed, the floor (one grouped count of every entity's open
 * findings, the least any organisation-wide read must do), a catalog that
 * pages through given entities, and the statistics they print.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BenchDatabase } from '@portal/test-utils/bench';
import { performance } from 'node:perf_hooks';
import { createSecopsStores } from '../src/database/createSecopsStores';
import { fillStore } from './fill';

export const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

export const p95 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)
  ];
};

/** The SecOps stores on the bench database, filled (fill.ts) and analysed. */
export async function filledStores(
  db: BenchDatabase,
  options: {
    rows: number;
    entities: number;
    budgetMs: number;
    log: (message: string) => void;
  },
) {
  const database = {
    getClient: async () => db.knex,
    migrations: { skip: false },
  } as unknown as DatabaseService;
  const stores = await createSecopsStores({ database });
  options.log(
    `${db.name}: filling ${options.rows.toLocaleString('en-US')} findings`,
  );
  const fill = await fillStore(db, new Date(), options);
  if (db.knex.client.config.client === 'pg') {
    await db.knex.raw('analyze');
  }
  return { stores, fill };
}

/** The floor: every entity's open findings counted in one pass, `runs` times. */
export async function floorSamples(db: BenchDatabase, runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await db
      .knex('secops_findings')
      .where('status', 'open')
      .groupBy('entity_ref')
      .select('entity_ref')
      .count({ n: '*' });
    samples.push(performance.now() - start);
  }
  return samples;
}

/** A catalog of these entities, read page by page as readAllEntities reads. */
export function pagedCatalog(entities: Entity[]): CatalogService {
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
