import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mib } from './measure';

/** A database a benchmark runs on, thrown away by `close`. */
export interface BenchDatabase {
  name: string;
  knex: Knex;
  /** Bind parameters allowed in one statement (driver/engine limit). */
  maxParams: number;
  /** Engine version and the size of the main table, for the notes. */
  describe(table: string): Promise<string>;
  close(): Promise<void>;
}

/** SQLite in a temporary file, with the pragmas Backstage leaves as they are. */
export async function openSqliteBench(label: string): Promise<BenchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-bench-`));
  const filename = path.join(dir, `${label}.sqlite`);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
  });
  return {
    name: 'SQLite (better-sqlite3, temp file, default pragmas as Backstage)',
    knex,
    maxParams: 32766,
    async describe() {
      const [{ v }] = await knex.raw('select sqlite_version() as v');
      const [{ journal_mode: journal }] = await knex.raw('pragma journal_mode');
      const [{ synchronous }] = await knex.raw('pragma synchronous');
      return `SQLite ${v}, journal_mode=${journal}, synchronous=${synchronous}, file ${mib(
        fs.statSync(filename).size,
      )} at the end`;
    },
    async close() {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on a PostgreSQL server, dropped by `close`. */
export async function openPostgresBench(url: string): Promise<BenchDatabase> {
  const dbName = `bench_${Date.now()}`;
  const admin = knexFactory({ client: 'pg', connection: url });
  await admin.raw(`create database ??`, [dbName]);
  const target = new URL(url);
  target.pathname = `/${dbName}`;
  const knex = knexFactory({ client: 'pg', connection: target.toString() });
  return {
    name: `PostgreSQL (${target.host}, database ${dbName})`,
    knex,
    maxParams: 65535,
    async describe(table: string) {
      const { rows } = await knex.raw(
        `select current_setting('server_version') as v,
                pg_size_pretty(pg_total_relation_size(?)) as size`,
        [table],
      );
      return `PostgreSQL ${rows[0].v}, ${table} incl. indexes ${rows[0].size} at the end`;
    },
    async close() {
      await knex.destroy();
      await admin.raw(`drop database if exists ?? with (force)`, [dbName]);
      await admin.destroy();
    },
  };
}
