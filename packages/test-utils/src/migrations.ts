/* eslint-disable jest/no-export -- a helper that defines tests for the packages that call it */
import { TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from './testDatabases';

/**
 * Defines the test that a plugin's migrations go up, and all the way down one
 * step at a time, twice, on SQLite and PostgreSQL.
 */
export function describeMigrations(options: {
  directory: string;
  tables: string[];
}) {
  const { directory, tables } = options;
  const databases = TestDatabases.create({ ids: testDatabaseIds() });

  describe.each(databases.eachSupportedId())('migrations on %p', id => {
    it('go up and all the way down again, twice', async () => {
      const knex = await databases.init(id);
      for (let round = 0; round < 2; round++) {
        await knex.migrate.latest({ directory });
        for (const table of tables) {
          expect(await knex.schema.hasTable(table)).toBe(true);
        }
        const [done, pending] = await knex.migrate.list({ directory });
        expect(pending).toEqual([]);
        // One step down at a time, newest first.
        for (;;) {
          const [completed] = await knex.migrate.list({ directory });
          if (!completed.length) break;
          await knex.migrate.down({ directory });
        }
        const [, after] = await knex.migrate.list({ directory });
        expect(after).toHaveLength(done.length);
        for (const table of tables) {
          expect(await knex.schema.hasTable(table)).toBe(false);
        }
      }
    });
  });
}
