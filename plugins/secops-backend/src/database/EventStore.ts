/*
 * Reads the event log (secops_events, written by eventLog.ts): the SIEM
 * export, each event with the row it is about, and the trend of open
 * findings; and where each SIEM webhook is in it
 * (secops_webhook_deliveries).
 */
import { Severity, SEVERITIES } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { exemptionsById } from './ExemptionStore';
import { findingsById } from './findingRows';
import { decisionsById } from './GateDecisionStore';
import { EventStore, StoredEvent, TrendPoint, WebhookDelivery } from './types';
import {
  DELIVERIES,
  EVENTS,
  FINDINGS,
  ID_CHUNK,
  inChunks,
  Timestamp,
  toDate,
  zeroBySeverity,
} from './tables';

const DAY_MS = 86400000;

function toDelivery(row: {
  name: string;
  cursor: number | string;
  attempts: number;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  updated_at: Timestamp;
}): WebhookDelivery {
  return {
    name: row.name,
    cursor: String(row.cursor),
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at
      ? toDate(row.next_attempt_at)
      : undefined,
    lastError: row.last_error ?? undefined,
    updatedAt: toDate(row.updated_at),
  };
}

/** The event log and webhook deliveries on knex: SQLite and PostgreSQL. */
export class DatabaseEventStore implements EventStore {
  constructor(private readonly knex: Knex) {}

  async listEvents(query: {
    afterId?: string;
    limit: number;
  }): Promise<StoredEvent[]> {
    const rows: Array<{
      id: number | string;
      kind: string;
      action: string;
      entity_ref: string;
      ref_id: string;
      actor: string;
      created_at: Timestamp;
    }> = await this.knex(EVENTS)
      .where('id', '>', Number(query.afterId ?? 0))
      .orderBy('id', 'asc')
      .limit(query.limit);
    if (!rows.length) return [];

    const idsOf = (kind: string) =>
      rows.filter(r => r.kind === kind).map(r => r.ref_id);
    const findings = await findingsById(
      this.knex,
      idsOf('finding').map(Number),
    );
    const decisions = await decisionsById(this.knex, idsOf('gate'));
    const exemptions = await exemptionsById(
      this.knex,
      idsOf('exemption'),
      new Date(),
    );

    return rows.map(row => ({
      id: String(row.id),
      kind: row.kind as StoredEvent['kind'],
      action: row.action,
      entityRef: row.entity_ref,
      actor: row.actor,
      at: toDate(row.created_at),
      finding: row.kind === 'finding' ? findings.get(row.ref_id) : undefined,
      decision: row.kind === 'gate' ? decisions.get(row.ref_id) : undefined,
      exemption:
        row.kind === 'exemption' ? exemptions.get(row.ref_id) : undefined,
    }));
  }

  async trend(
    entityRefs: string[],
    days: number,
    now: Date,
  ): Promise<TrendPoint[]> {
    const isPg = this.knex.client.config.client === 'pg';
    const dayExpr = isPg
      ? 'floor(extract(epoch from e.created_at) / 86400)'
      : 'cast(e.created_at / 86400000 as integer)';
    // Net change of open findings per day and severity, over all time: the
    // days before the window give the starting level.
    const deltas = new Map<number, Record<Severity, number>>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{
        day: number | string;
        severity: Severity;
        action: string;
        n: number | string;
      }> = await this.knex(`${EVENTS} as e`)
        .joinRaw(
          `join ${FINDINGS} as f on e.ref_id = cast(f.id as varchar(64))`,
        )
        .where('e.kind', 'finding')
        .whereIn('e.entity_ref', refs)
        // A finding's events carry its entity: said on both sides, the
        // database joins the entities' few findings, not all of them.
        .whereIn('f.entity_ref', refs)
        .groupByRaw(`${dayExpr}, f.severity, e.action`)
        .select(
          this.knex.raw(`${dayExpr} as day`),
          'f.severity as severity',
          'e.action as action',
          this.knex.raw('count(*) as n'),
        );
      for (const row of rows) {
        const day = Number(row.day);
        const delta = deltas.get(day) ?? zeroBySeverity();
        const sign = row.action === 'fixed' ? -1 : 1;
        delta[row.severity] += sign * Number(row.n);
        deltas.set(day, delta);
      }
    });

    const today = Math.floor(now.getTime() / DAY_MS);
    const first = today - days + 1;
    const level = zeroBySeverity();
    for (const [day, delta] of deltas) {
      if (day < first) {
        SEVERITIES.forEach(sev => (level[sev] += delta[sev]));
      }
    }
    const points: TrendPoint[] = [];
    for (let day = first; day <= today; day++) {
      const delta = deltas.get(day);
      if (delta) SEVERITIES.forEach(sev => (level[sev] += delta[sev]));
      points.push({
        day: new Date(day * DAY_MS).toISOString().slice(0, 10),
        open: { ...level },
      });
    }
    return points;
  }

  async getWebhookDelivery(name: string): Promise<WebhookDelivery> {
    const row = await this.knex(DELIVERIES).where('name', name).first();
    return row ? toDelivery(row) : { name, cursor: '0', attempts: 0 };
  }

  async saveWebhookDelivery(delivery: WebhookDelivery, now: Date) {
    await this.knex(DELIVERIES)
      .insert({
        name: delivery.name,
        cursor: Number(delivery.cursor),
        attempts: delivery.attempts,
        next_attempt_at: delivery.nextAttemptAt ?? null,
        last_error: delivery.lastError ?? null,
        updated_at: now,
      })
      .onConflict('name')
      .merge();
  }

  async listWebhookDeliveries(): Promise<WebhookDelivery[]> {
    const rows = await this.knex(DELIVERIES).orderBy('name');
    return rows.map(toDelivery);
  }
}
