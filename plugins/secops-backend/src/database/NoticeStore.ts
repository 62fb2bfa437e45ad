/*
 * What the SLA sweep reads and remembers: open findings whose first-seen
 * time falls in a window per severity (so nearing or past their due date),
 * and which notices were already sent, by key.
 */
import { Severity } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { FINDINGS, ID_CHUNK, inChunks, NOTICES_SENT, toDate } from './tables';

/** An open finding the sweep may notify of. */
export interface DueFinding {
  id: string;
  entityRef: string;
  severity: Severity;
  title: string;
  firstSeenAt: Date;
  assignee?: string;
}

/** Per severity, first seen in [from, to). */
export type FirstSeenWindow = { severity: Severity; from: Date; to: Date };

export class NoticeStore {
  constructor(private readonly knex: Knex) {}

  /** Open findings first seen in any of the windows, oldest first. */
  async openFirstSeenIn(
    windows: FirstSeenWindow[],
    limit: number,
  ): Promise<DueFinding[]> {
    if (!windows.length) return [];
    const rows = await this.knex(FINDINGS)
      .where('status', 'open')
      .andWhere(inner => {
        for (const w of windows) {
          inner.orWhere(one =>
            one
              .where('severity', w.severity)
              .andWhere('first_seen_at', '>=', w.from)
              .andWhere('first_seen_at', '<', w.to),
          );
        }
      })
      .orderBy([
        { column: 'first_seen_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit)
      .select(
        'id',
        'entity_ref',
        'severity',
        'title',
        'first_seen_at',
        'assignee',
      );
    return rows.map(row => ({
      id: String(row.id),
      entityRef: row.entity_ref,
      severity: row.severity,
      title: row.title,
      firstSeenAt: toDate(row.first_seen_at),
      assignee: row.assignee ?? undefined,
    }));
  }

  /** The keys of these that no notice was sent for yet. */
  async unsent(keys: string[]): Promise<string[]> {
    const sent = new Set<string>();
    await inChunks(keys, ID_CHUNK, async chunk => {
      const rows = await this.knex(NOTICES_SENT)
        .whereIn('key', chunk)
        .select('key');
      rows.forEach(row => sent.add(row.key));
    });
    return keys.filter(key => !sent.has(key));
  }

  /** Remembers that these notices were sent (again is no error). */
  async markSent(keys: string[], at: Date): Promise<void> {
    await inChunks(keys, ID_CHUNK, chunk =>
      this.knex(NOTICES_SENT)
        .insert(chunk.map(key => ({ key, sent_at: at })))
        .onConflict('key')
        .ignore(),
    );
  }
}
