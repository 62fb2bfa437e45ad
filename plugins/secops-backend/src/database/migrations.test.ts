import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '../testDatabases';

const migrationsDir = resolvePackagePath(
  '@portal/plugin-secops-backend',
  'migrations',
);
const TABLES = [
  'secops_scans',
  'secops_findings',
  'secops_gate_decisions',
  'secops_exemptions',
  'secops_events',
  'secops_webhook_deliveries',
];

const databases = TestDatabases.create({ ids: testDatabaseIds() });

describe.each(databases.eachSupportedId())('migrations on %p', id => {
  it('go up and all the way down again, twice', async () => {
    const knex = await databases.init(id);
    for (let round = 0; round < 2; round++) {
      await knex.migrate.latest({ directory: migrationsDir });
      for (const table of TABLES) {
        expect(await knex.schema.hasTable(table)).toBe(true);
      }
      // One step down at a time, newest first.
      let [, pending] = await knex.migrate.list({ directory: migrationsDir });
      expect(pending).toEqual([]);
      for (;;) {
        const [completed] = await knex.migrate.list({
          directory: migrationsDir,
        });
        if (!completed.length) break;
        await knex.migrate.down({ directory: migrationsDir });
      }
      [, pending] = await knex.migrate.list({ directory: migrationsDir });
      expect(pending).toHaveLength(4);
      for (const table of TABLES) {
        expect(await knex.schema.hasTable(table)).toBe(false);
      }
    }
  });
});
