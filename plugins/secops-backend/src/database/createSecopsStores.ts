import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { DatabaseEventStore } from './EventStore';
import { ExploitabilityStore } from './ExploitabilityStore';
import { DatabaseExemptionStore } from './ExemptionStore';
import { DatabaseFindingStore } from './FindingStore';
import { DatabaseGateDecisionStore } from './GateDecisionStore';
import { DatabaseGatePolicyStore } from './GatePolicyStore';
import { NoticeStore } from './NoticeStore';
import { TicketStore } from './TicketStore';
import { ScorecardStore } from './ScorecardStore';
import { OffPathStore } from './OffPathStore';
import { SecopsStores } from './types';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-secops-backend',
  'migrations',
);

/**
 * The SecOps stores on the plugin's database (SQLite or PostgreSQL), one per
 * aggregate, sharing one knex client. Runs the migrations first unless told
 * not to (or the database service skips them).
 */
export async function createSecopsStores(options: {
  database: DatabaseService;
  skipMigrations?: boolean;
}): Promise<SecopsStores> {
  const knex = await options.database.getClient();
  if (!options.skipMigrations && !options.database.migrations?.skip) {
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return {
    gatePolicies: new DatabaseGatePolicyStore(knex),
    exploitability: new ExploitabilityStore(knex),
    findings: new DatabaseFindingStore(knex),
    exemptions: new DatabaseExemptionStore(knex),
    gateDecisions: new DatabaseGateDecisionStore(knex),
    events: new DatabaseEventStore(knex),
    notices: new NoticeStore(knex),
    offPath: new OffPathStore(knex),
    tickets: new TicketStore(knex),
    scorecards: new ScorecardStore(knex),
  };
}
