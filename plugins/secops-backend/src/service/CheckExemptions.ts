/*
 * Exemptions from scorecard checks, as exemptions from the gate work: the
 * owners of an entity ask, with a reason and an end within 90 days; someone
 * else of the security team approves or rejects (the route checks who). An
 * approved, unexpired exemption makes the check pass for that entity at
 * the next evaluation, saying so, with the exemption's id as its record.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CheckExemption,
  secopsExemptionRequestPermission,
} from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { CHECK_EXEMPTIONS, Timestamp, toDate } from '../database/tables';
import { requireEndWithin } from './ExemptionService';
import { SecopsAccess } from './SecopsAccess';

/** The longest a check exemption may last. */
export const MAX_CHECK_EXEMPTION_DAYS = 90;

type Row = {
  id: string;
  check_id: string;
  entity_ref: string;
  justification: string;
  requested_by: string;
  requested_at: Timestamp;
  expires_at: Timestamp;
  status: string;
  decided_by: string | null;
  decided_at: Timestamp | null;
  comment: string | null;
};

function toExemption(row: Row, now: Date): CheckExemption {
  const expiresAt = toDate(row.expires_at);
  return {
    id: row.id,
    checkId: row.check_id,
    entityRef: row.entity_ref,
    justification: row.justification,
    requestedBy: row.requested_by,
    requestedAt: toDate(row.requested_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: row.status as CheckExemption['status'],
    active: row.status === 'approved' && expiresAt.getTime() > now.getTime(),
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at
      ? toDate(row.decided_at).toISOString()
      : undefined,
    comment: row.comment ?? undefined,
  };
}

export class CheckExemptions {
  constructor(
    private readonly deps: {
      knex: Knex;
      access: SecopsAccess;
      /** The ids of the scorecard checks. */
      checkIds: () => string[];
    },
  ) {}

  async request(
    credentials: BackstageCredentials,
    entityRef: string,
    body: { checkId: string; justification: string; expiresAt: Date },
    now = new Date(),
  ): Promise<CheckExemption> {
    const { knex, access } = this.deps;
    if (!this.deps.checkIds().includes(body.checkId)) {
      throw new InputError(
        `There is no scorecard check '${
          body.checkId
        }' (the checks are ${this.deps.checkIds().join(', ')})`,
      );
    }
    // The entity must exist (404), and the policy let the caller ask.
    await access.requireEntity(entityRef);
    const caller = await access.authorize(
      credentials,
      secopsExemptionRequestPermission,
      entityRef,
    );
    requireEndWithin(
      body.expiresAt,
      now,
      MAX_CHECK_EXEMPTION_DAYS,
      'A check exemption',
    );
    return knex.transaction(async tx => {
      const open: Row | undefined = await tx(CHECK_EXEMPTIONS)
        .where({ entity_ref: entityRef, check_id: body.checkId })
        .andWhere(q =>
          q
            .where('status', 'pending')
            .orWhere(a =>
              a.where('status', 'approved').andWhere('expires_at', '>', now),
            ),
        )
        .first();
      if (open) {
        throw new ConflictError(
          `${entityRef} already has a ${open.status} exemption from ${body.checkId} (${open.id})`,
        );
      }
      const row: Row = {
        id: randomUUID(),
        check_id: body.checkId,
        entity_ref: entityRef,
        justification: body.justification,
        requested_by: caller.principal,
        requested_at: now,
        expires_at: body.expiresAt,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        comment: null,
      };
      await tx(CHECK_EXEMPTIONS).insert(row);
      return toExemption(row, now);
    });
  }

  /** Someone of the security team other than who asked decides (the route checks the team). */
  async decide(
    id: string,
    decision: {
      decision: 'approve' | 'reject';
      decidedBy: string;
      comment?: string;
    },
    now = new Date(),
  ): Promise<CheckExemption> {
    const { knex } = this.deps;
    return knex.transaction(async tx => {
      const row: Row | undefined = /^[0-9a-f-]{36}$/.test(id)
        ? await tx(CHECK_EXEMPTIONS).where('id', id).first()
        : undefined;
      if (!row) throw new NotFoundError(`There is no check exemption ${id}`);
      if (row.requested_by.toLowerCase() === decision.decidedBy.toLowerCase()) {
        throw new NotAllowedError(
          'You asked for this exemption: someone else in the security team must decide it',
        );
      }
      if (row.status !== 'pending') {
        throw new ConflictError(
          `The check exemption ${id} is already ${row.status}`,
        );
      }
      const decided = {
        status: decision.decision === 'approve' ? 'approved' : 'rejected',
        decided_by: decision.decidedBy,
        decided_at: now,
        comment: decision.comment ?? null,
      };
      await tx(CHECK_EXEMPTIONS)
        .where({ id, status: 'pending' })
        .update(decided);
      return toExemption({ ...row, ...decided }, now);
    });
  }

  /** An entity's check exemptions, the latest requested first. */
  async list(entityRef: string, now = new Date()): Promise<CheckExemption[]> {
    const rows: Row[] = await this.deps
      .knex(CHECK_EXEMPTIONS)
      .where('entity_ref', entityRef)
      .orderBy('requested_at', 'desc')
      .limit(100);
    return rows.map(row => toExemption(row, now));
  }

  /** The approved, unexpired exemptions, by check and entity ref. */
  async active(now: Date): Promise<Map<string, CheckExemption>> {
    const rows: Row[] = await this.deps
      .knex(CHECK_EXEMPTIONS)
      .where('status', 'approved')
      .andWhere('expires_at', '>', now);
    return new Map(
      rows.map(row => [
        `${row.check_id}\n${row.entity_ref}`,
        toExemption(row, now),
      ]),
    );
  }
}
