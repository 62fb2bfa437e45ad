import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { AlertStore } from './AlertStore';
import { BudgetStore } from './BudgetStore';
import { CostLineStore } from './CostLineStore';
import { EntityCostStore } from './EntityCostStore';
import { ImportRunStore } from './ImportRunStore';
import { RecommendationStore } from './RecommendationStore';
import { RollupStore } from './RollupStore';
import { FinopsStores } from './types';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-finops-backend',
  'migrations',
);

/**
 * The FinOps stores on the plugin's database (SQLite or PostgreSQL), one per
 * aggregate, sharing one knex client. Runs the migrations first unless told
 * not to (or the database service skips them).
 */
export async function createFinopsStores(options: {
  database: DatabaseService;
  skipMigrations?: boolean;
}): Promise<FinopsStores> {
  const knex = await options.database.getClient();
  if (!options.skipMigrations && !options.database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return {
    lines: new CostLineStore(knex),
    imports: new ImportRunStore(knex),
    rollups: new RollupStore(knex),
    entities: new EntityCostStore(knex),
    budgets: new BudgetStore(knex),
    alerts: new AlertStore(knex),
    recommendations: new RecommendationStore(knex),
  };
}
