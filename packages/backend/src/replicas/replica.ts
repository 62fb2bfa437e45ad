/*
 * One backend replica for the two-replica test (replicas.test.ts): the
 * portal's sign-in, catalog, permission and SecOps plugins as the real
 * backend runs them, on the PostgreSQL and Redis the test names in its
 * configuration files, plus a probe plugin whose scheduled task records
 * each of its runs, so the test can see whether work runs once across
 * replicas. Started as its own process:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     packages/backend/src/replicas/replica.ts --config a.yaml --config b.yaml
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createBackend } from '@backstage/backend-defaults';

export const RUNS_TABLE = 'probe_runs';

/**
 * A plugin with one global scheduled task, as the portal's own plugins
 * schedule theirs: each run writes who ran it, and when it started and
 * ended, into the plugin's database.
 */
const probePlugin = createBackendPlugin({
  pluginId: 'probe',
  register(env) {
    env.registerInit({
      deps: {
        database: coreServices.database,
        scheduler: coreServices.scheduler,
      },
      async init({ database, scheduler }) {
        const db = await database.getClient();
        if (!(await db.schema.hasTable(RUNS_TABLE))) {
          await db.schema
            .createTable(RUNS_TABLE, table => {
              table.increments('id');
              table.string('replica').notNullable();
              table.bigInteger('started_ms').notNullable();
              table.bigInteger('ended_ms').notNullable();
            })
            .catch(async error => {
              // The other replica made it first.
              if (!(await db.schema.hasTable(RUNS_TABLE))) throw error;
            });
        }
        await scheduler.scheduleTask({
          id: 'probe-every-second',
          scope: 'global',
          frequency: { seconds: 1 },
          timeout: { seconds: 5 },
          fn: async () => {
            const started = Date.now();
            // Long enough that a second replica running it at the same
            // time would overlap.
            await new Promise(resolve => setTimeout(resolve, 300));
            await db(RUNS_TABLE).insert({
              replica: process.env.REPLICA_ID ?? 'unknown',
              started_ms: started,
              ended_ms: Date.now(),
            });
          },
        });
      },
    });
  },
});

const backend = createBackend();
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@portal/plugin-auth-backend-module-demo-provider'));
backend.add(import('@portal/plugin-auth-backend-module-group-ownership'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@portal/plugin-permission-backend-module-portal-policy'));
backend.add(import('@portal/plugin-secops-backend'));
backend.add(probePlugin);
backend.start();
