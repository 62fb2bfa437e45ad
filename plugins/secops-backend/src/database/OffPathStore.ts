/*
 * Off-path exceptions (secops_off_path_exceptions): a workload allowed off
 * the golden path in one namespace, asked for by its owners, decided once
 * by the security team, active while approved and not expired. What each
 * state means in SQL is defined here.
 */
import { ConflictError, NotFoundError } from '@backstage/errors';
import { OffPathException, Page } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import {
  latestRequestedPage,
  OFF_PATH_EXCEPTIONS,
  Timestamp,
  toDate,
} from './tables';

type Row = {
  id: string;
  entity_ref: string;
  namespace: string;
  workload: string;
  reason: string;
  requested_by: string;
  requested_at: Timestamp;
  expires_at: Timestamp;
  status: string;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: string | null;
};

export type OffPathState = OffPathException['state'];

/** What an owner asks for. */
export interface NewOffPathException {
  entityRef: string;
  namespace: string;
  workload: string;
  reason: string;
  requestedBy: string;
  expiresAt: Date;
}

function toException(row: Row, now: Date): OffPathException {
  const expiresAt = toDate(row.expires_at);
  const expired = expiresAt.getTime() <= now.getTime();
  let state: OffPathState = 'pending';
  if (row.status === 'rejected') state = 'rejected';
  else if (row.status === 'approved') state = expired ? 'expired' : 'active';
  return {
    id: row.id,
    entityRef: row.entity_ref,
    namespace: row.namespace,
    workload: row.workload,
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: toDate(row.requested_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: row.status as OffPathException['status'],
    state,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at
      ? toDate(row.decided_at).toISOString()
      : undefined,
    decisionComment: row.decision_comment ?? undefined,
  };
}

/** The rows in `state` at `now`. */
function inState(query: Knex.QueryBuilder, state: OffPathState, now: Date) {
  switch (state) {
    case 'active':
      return query.where('status', 'approved').andWhere('expires_at', '>', now);
    case 'expired':
      return query
        .where('status', 'approved')
        .andWhere('expires_at', '<=', now);
    default:
      return query.where('status', state);
  }
}

/** The off-path exceptions on knex: SQLite and PostgreSQL. */
export class OffPathStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Records a pending request; ConflictError when the workload already has
   * a pending or active exception in that namespace.
   */
  async create(
    input: NewOffPathException,
    now: Date,
  ): Promise<OffPathException> {
    return this.knex.transaction(async tx => {
      const open = await tx<Row>(OFF_PATH_EXCEPTIONS)
        .where({ namespace: input.namespace, workload: input.workload })
        .andWhere(inner =>
          inner
            .where('status', 'pending')
            .orWhere(active => inState(active, 'active', now)),
        )
        .first('id', 'status');
      if (open) {
        throw new ConflictError(
          `${input.namespace}/${input.workload} already has a ${open.status} off-path exception (${open.id})`,
        );
      }
      const row: Row = {
        id: randomUUID(),
        entity_ref: input.entityRef,
        namespace: input.namespace,
        workload: input.workload,
        reason: input.reason,
        requested_by: input.requestedBy,
        requested_at: now,
        expires_at: input.expiresAt,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        decision_comment: null,
      };
      await tx(OFF_PATH_EXCEPTIONS).insert(row);
      return toException(row, now);
    });
  }

  async get(id: string, now: Date): Promise<OffPathException | undefined> {
    const row = await this.knex<Row>(OFF_PATH_EXCEPTIONS)
      .where('id', id)
      .first();
    return row ? toException(row, now) : undefined;
  }

  /**
   * Decides a pending request, once: NotFoundError without it,
   * ConflictError when it was already decided (by someone else meanwhile
   * too: the update only takes a pending row).
   */
  async decide(
    id: string,
    decision: {
      status: 'approved' | 'rejected';
      decidedBy: string;
      comment?: string;
    },
    now: Date,
  ): Promise<OffPathException> {
    return this.knex.transaction(async tx => {
      const row = await tx<Row>(OFF_PATH_EXCEPTIONS).where('id', id).first();
      if (!row) throw new NotFoundError(`There is no off-path exception ${id}`);
      const update = {
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: now,
        decision_comment: decision.comment ?? null,
      };
      const changed = await tx(OFF_PATH_EXCEPTIONS)
        .where({ id, status: 'pending' })
        .update(update);
      if (!changed) {
        throw new ConflictError(`The exception was already ${row.status}`);
      }
      return toException({ ...row, ...update }, now);
    });
  }

  /** A page of them (in `state`, or all), the latest requested first. */
  async list(query: {
    state?: OffPathState;
    limit: number;
    cursor?: string;
    now: Date;
  }): Promise<Page<OffPathException>> {
    const page = await latestRequestedPage<Row>(() => {
      const q: Knex.QueryBuilder = this.knex(OFF_PATH_EXCEPTIONS);
      return query.state ? inState(q, query.state, query.now) : q;
    }, query);
    return {
      items: page.rows.map(row => toException(row, query.now)),
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    };
  }

  /** Every exception active at `now` (what the admission bindings leave out). */
  async active(now: Date): Promise<OffPathException[]> {
    const rows: Row[] = await inState(
      this.knex<Row>(OFF_PATH_EXCEPTIONS),
      'active',
      now,
    ).orderBy(['namespace', 'workload']);
    return rows.map(row => toException(row, now));
  }

  /** The active ones that end in (from, to]: those to warn of. */
  async endingBetween(from: Date, to: Date): Promise<OffPathException[]> {
    const rows: Row[] = await this.knex<Row>(OFF_PATH_EXCEPTIONS)
      .where('status', 'approved')
      .andWhere('expires_at', '>', from)
      .andWhere('expires_at', '<=', to)
      .orderBy('expires_at')
      .limit(5000);
    return rows.map(row => toException(row, from));
  }
}
