/*
 * Writes to the event log (secops_events): one row per change to a finding,
 * gate decision or exemption, in the transaction that makes the change. The
 * SIEM export and the trends read it (EventStore.ts).
 */
import { Knex } from 'knex';
import { StoredEvent } from './types';
import { EVENTS, FINDINGS, INSERT_CHUNK, inChunks, truncate } from './tables';

/** One event about the row `refId` of its kind. */
export async function logEvent(
  db: Knex,
  event: {
    kind: StoredEvent['kind'];
    action: string;
    entityRef: string;
    refId: string;
    actor: string;
    at: Date;
  },
) {
  await db(EVENTS).insert({
    kind: event.kind,
    action: event.action,
    entity_ref: event.entityRef,
    ref_id: event.refId,
    actor: truncate(event.actor, 255),
    created_at: event.at,
  });
}

/**
 * The events of one ingested scan: `created` for every finding the scan
 * created (those it saw first at `at`), then `reopened` and `fixed` for the
 * ids given.
 */
export async function logScanEvents(
  tx: Knex.Transaction,
  scan: {
    entityRef: string;
    tool: string;
    scanId: string;
    actor: string;
    at: Date;
    reopenedIds: Array<number | string>;
    fixedIds: Array<number | string>;
  },
) {
  const actor = truncate(scan.actor, 255)!;
  await tx(
    tx.raw('?? (kind, action, entity_ref, ref_id, actor, created_at)', [
      EVENTS,
    ]),
  ).insert(
    tx(FINDINGS)
      .select(
        tx.raw(`cast(? as varchar(16))`, ['finding']),
        tx.raw(`cast(? as varchar(16))`, ['created']),
        'entity_ref',
        tx.raw('cast(id as varchar(64))'),
        tx.raw('cast(? as varchar(255))', [actor]),
        tx.raw('cast(? as timestamp with time zone)', [scan.at]),
      )
      .where({ entity_ref: scan.entityRef, tool: scan.tool })
      .andWhere('last_scan_id', scan.scanId)
      .andWhere('first_seen_at', scan.at),
  );
  const changed = [
    ...scan.reopenedIds.map(id => ['reopened', id] as const),
    ...scan.fixedIds.map(id => ['fixed', id] as const),
  ];
  await inChunks(changed, INSERT_CHUNK, chunk =>
    tx(EVENTS).insert(
      chunk.map(([action, id]) => ({
        kind: 'finding',
        action,
        entity_ref: scan.entityRef,
        ref_id: String(id),
        actor,
        created_at: scan.at,
      })),
    ),
  );
}
