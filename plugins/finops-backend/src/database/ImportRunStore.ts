/*
 * The log of import runs (finops_imports): pulled sources and FOCUS files,
 * succeeded or failed.
 */
import { ImportRun } from '@portal/plugin-finops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { IMPORTS, Row, toDate } from './tables';

/** The import runs, newest first. */
export class ImportRunStore {
  constructor(private readonly knex: Knex) {}

  async recordImport(run: Omit<ImportRun, 'id'> & { requestedBy?: string }) {
    const id = randomUUID();
    await this.knex(IMPORTS).insert({
      id,
      source: run.source,
      status: run.status,
      started_at: new Date(run.startedAt),
      finished_at: new Date(run.finishedAt),
      rows_read: run.rowsRead,
      rows_stored: run.rowsStored,
      day_from: run.from ?? null,
      day_to: run.to ?? null,
      api_calls: run.apiCalls ?? null,
      error: run.error ?? null,
      requested_by: run.requestedBy ?? null,
    });
    return { ...run, id };
  }

  async listImports(limit: number): Promise<ImportRun[]> {
    const rows: Row[] = await this.knex(IMPORTS)
      .orderBy('finished_at', 'desc')
      .limit(limit);
    return rows.map(r => ({
      id: r.id,
      source: r.source,
      status: r.status,
      startedAt: toDate(r.started_at).toISOString(),
      finishedAt: toDate(r.finished_at).toISOString(),
      rowsRead: Number(r.rows_read),
      rowsStored: Number(r.rows_stored),
      from: r.day_from ?? undefined,
      to: r.day_to ?? undefined,
      apiCalls: r.api_calls === null ? undefined : Number(r.api_calls),
      error: r.error ?? undefined,
    }));
  }
}
