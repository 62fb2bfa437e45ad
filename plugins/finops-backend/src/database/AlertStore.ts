/*
 * Anomaly and budget alerts (finops_alerts), one per kind, ref and day.
 */
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { ALERTS, Row, toDate } from './tables';
import { StoredAlert } from './types';

/** The alerts the importer raised. */
export class AlertStore {
  constructor(private readonly knex: Knex) {}

  /** Stores alerts not stored before; returns the new ones. */
  async addAlerts(
    alerts: Array<Omit<StoredAlert, 'id'>>,
  ): Promise<StoredAlert[]> {
    const added: StoredAlert[] = [];
    for (const alert of alerts) {
      const exists = await this.knex(ALERTS)
        .where({ kind: alert.kind, ref: alert.ref, day: alert.day })
        .first('id');
      if (exists) continue;
      const stored = { ...alert, id: randomUUID() };
      await this.knex(ALERTS).insert({
        id: stored.id,
        kind: stored.kind,
        ref: stored.ref,
        owner_ref: stored.ownerRef,
        day: stored.day,
        amount: stored.amount,
        expected: stored.expected,
        message: stored.message,
        created_at: stored.createdAt,
      });
      added.push(stored);
    }
    return added;
  }

  async listAlerts(refs: string[], since: string): Promise<StoredAlert[]> {
    if (refs.length === 0) return [];
    const rows: Row[] = await this.knex(ALERTS)
      .whereIn('ref', refs)
      .andWhere('day', '>=', since)
      .orderBy('day', 'desc')
      .limit(50);
    return rows.map(r => ({
      id: r.id,
      kind: r.kind,
      ref: r.ref,
      ownerRef: r.owner_ref,
      day: r.day,
      amount: Number(r.amount),
      expected: Number(r.expected),
      message: r.message,
      createdAt: toDate(r.created_at),
    }));
  }
}
