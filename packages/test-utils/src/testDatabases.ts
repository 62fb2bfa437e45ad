import type { TestDatabaseId } from '@backstage/backend-test-utils';

/**
 * The databases store tests run on: SQLite always, and the PostgreSQL that
 * `./portal test` starts (it names it in PORTAL_TEST_POSTGRES, and then a
 * missing server fails the tests instead of skipping them).
 */
export function testDatabaseIds(): TestDatabaseId[] {
  const postgres = process.env.PORTAL_TEST_POSTGRES as
    | TestDatabaseId
    | undefined;
  return postgres ? [postgres, 'SQLITE_3'] : ['SQLITE_3'];
}
