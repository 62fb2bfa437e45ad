/**
 * Test helpers shared by the portal's packages.
 *
 * @packageDocumentation
 */
export { testDatabaseIds } from './testDatabases';
export { describeMigrations } from './migrations';
