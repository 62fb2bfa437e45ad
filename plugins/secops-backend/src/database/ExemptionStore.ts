/*
 * Exemptions (secops_exemptions): requested for one open finding, decided
 * once by the security team, active while approved and not expired. What
 * "pending or active" and "active" mean in SQL is defined here, for the
 * finding listings and the gate as well.
 */
import { ConflictError, NotFoundError } from '@backstage/errors';
import { Exemption, Page } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { logEvent } from './eventLog';
import {
  ApprovedExemption,
  ExemptionDecision,
  ExemptionStore,
  NewExemption,
  StoredFinding,
} from './types';
import {
  EXEMPTIONS,
  FINDINGS,
  ID_CHUNK,
  inChunks,
  latestRequestedPage,
  Timestamp,
  toDate,
} from './tables';

type ExemptionRow = {
  id: string;
  finding_id: number | string;
  entity_ref: string;
  justification: string;
  requested_by: string;
  requested_at: Timestamp;
  expires_at: Timestamp;
  status: string;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: string | null;
};

function toExemption(row: ExemptionRow, now: Date): Exemption {
  const expiresAt = toDate(row.expires_at);
  return {
    id: row.id,
    findingId: String(row.finding_id),
    entityRef: row.entity_ref,
    justification: row.justification,
    requestedBy: row.requested_by,
    requestedAt: toDate(row.requested_at).toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: row.status as Exemption['status'],
    active: row.status === 'approved' && expiresAt.getTime() > now.getTime(),
    decidedBy: row.decided_by ?? undefined,
    decidedAt: row.decided_at
      ? toDate(row.decided_at).toISOString()
      : undefined,
    decisionComment: row.decision_comment ?? undefined,
  };
}

/** Approved and not expired at `now`. */
function isActive(query: Knex.QueryBuilder, now: Date, alias = '') {
  return query
    .where(`${alias}status`, 'approved')
    .andWhere(`${alias}expires_at`, '>', now);
}

/** Waiting for a decision, or active at `now`. */
function isPendingOrActive(query: Knex.QueryBuilder, now: Date) {
  return query.where(inner =>
    inner.where('status', 'pending').orWhere(active => isActive(active, now)),
  );
}

/**
 * A `where exists` subquery: the finding whose id is in `findingIdColumn`
 * has an active exemption at `now`.
 */
export function activeExemptionOf(
  knex: Knex,
  findingIdColumn: string,
  now: Date,
): Knex.QueryBuilder {
  return isActive(
    knex(`${EXEMPTIONS} as e`)
      .select(knex.raw('1'))
      .whereRaw(`e.finding_id = ${findingIdColumn}`),
    now,
    'e.',
  );
}

/**
 * Marks each finding with its exemption at `now`: `exemptionPending` when a
 * request waits for a decision, `exemptedUntil` when one is active.
 */
export async function markExemptions(
  knex: Knex,
  findings: StoredFinding[],
  now: Date,
) {
  if (!findings.length) return;
  const exemptions: Array<{
    finding_id: number | string;
    status: string;
    expires_at: Timestamp;
  }> = await isPendingOrActive(
    knex(EXEMPTIONS).whereIn(
      'finding_id',
      findings.map(f => Number(f.id)),
    ),
    now,
  ).select('finding_id', 'status', 'expires_at');
  const byFinding = new Map(findings.map(f => [f.id, f]));
  for (const exemption of exemptions) {
    const finding = byFinding.get(String(exemption.finding_id))!;
    if (exemption.status === 'pending') {
      finding.exemptionPending = true;
    } else {
      finding.exemptedUntil = toDate(exemption.expires_at);
    }
  }
}

/** The exemptions with these ids, by id, as they are at `now`. */
export async function exemptionsById(
  knex: Knex,
  ids: string[],
  now: Date,
): Promise<Map<string, Exemption>> {
  const exemptions = new Map<string, Exemption>();
  if (ids.length) {
    const found: ExemptionRow[] = await knex<ExemptionRow>(EXEMPTIONS).whereIn(
      'id',
      ids,
    );
    found.forEach(row => exemptions.set(row.id, toExemption(row, now)));
  }
  return exemptions;
}

/** The exemptions on knex: SQLite and PostgreSQL. */
export class DatabaseExemptionStore implements ExemptionStore {
  constructor(private readonly knex: Knex) {}

  async createExemption(input: NewExemption, now: Date): Promise<Exemption> {
    return this.knex.transaction(async tx => {
      const open = await isPendingOrActive(
        tx(EXEMPTIONS).where('finding_id', Number(input.findingId)),
        now,
      ).first('id', 'status');
      if (open) {
        throw new ConflictError(
          `The finding already has a ${open.status} exemption (${open.id})`,
        );
      }
      const row: ExemptionRow = {
        id: randomUUID(),
        finding_id: Number(input.findingId),
        entity_ref: input.entityRef,
        justification: input.justification,
        requested_by: input.requestedBy,
        requested_at: now,
        expires_at: input.expiresAt,
        status: 'pending',
        decided_by: null,
        decided_at: null,
        decision_comment: null,
      };
      await tx(EXEMPTIONS).insert(row);
      await logEvent(tx, {
        kind: 'exemption',
        action: 'requested',
        entityRef: input.entityRef,
        refId: row.id,
        actor: input.requestedBy,
        at: now,
      });
      return toExemption(row, now);
    });
  }

  async getExemption(id: string, now: Date): Promise<Exemption | undefined> {
    const row = await this.knex<ExemptionRow>(EXEMPTIONS)
      .where('id', id)
      .first();
    return row ? toExemption(row, now) : undefined;
  }

  async decideExemption(
    id: string,
    decision: ExemptionDecision,
    now: Date,
  ): Promise<Exemption> {
    return this.knex.transaction(async tx => {
      const row = await tx<ExemptionRow>(EXEMPTIONS).where('id', id).first();
      if (!row) {
        throw new NotFoundError(`There is no exemption ${id}`);
      }
      if (row.status !== 'pending') {
        throw new ConflictError(`The exemption was already ${row.status}`);
      }
      const update = {
        status: decision.status,
        decided_by: decision.decidedBy,
        decided_at: now,
        decision_comment: decision.comment ?? null,
      };
      await tx(EXEMPTIONS).where('id', id).update(update);
      await logEvent(tx, {
        kind: 'exemption',
        action: decision.status,
        entityRef: row.entity_ref,
        refId: id,
        actor: decision.decidedBy,
        at: now,
      });
      return toExemption({ ...row, ...update }, now);
    });
  }

  async approvedOnOpenFindings(
    entityRefs: string[],
  ): Promise<Map<string, ApprovedExemption[]>> {
    const byEntity = new Map<string, ApprovedExemption[]>();
    await inChunks([...new Set(entityRefs)], ID_CHUNK, async refs => {
      const rows: Array<
        Pick<
          ExemptionRow,
          'id' | 'finding_id' | 'entity_ref' | 'expires_at' | 'decided_by'
        >
      > = await this.knex(`${EXEMPTIONS} as e`)
        .join(`${FINDINGS} as f`, 'f.id', 'e.finding_id')
        .whereIn('e.entity_ref', refs)
        .andWhere('e.status', 'approved')
        .andWhere('f.status', 'open')
        .orderBy('e.expires_at')
        .select(
          'e.id',
          'e.finding_id',
          'e.entity_ref',
          'e.expires_at',
          'e.decided_by',
        );
      for (const row of rows) {
        const list = byEntity.get(row.entity_ref) ?? [];
        list.push({
          id: row.id,
          findingId: String(row.finding_id),
          expiresAt: toDate(row.expires_at),
          decidedBy: row.decided_by ?? '',
        });
        byEntity.set(row.entity_ref, list);
      }
    });
    return byEntity;
  }

  async listExemptions(
    entityRef: string,
    query: { limit: number; cursor?: string; now: Date },
  ): Promise<Page<Exemption>> {
    const page = await latestRequestedPage<ExemptionRow>(
      () => this.knex(EXEMPTIONS).where('entity_ref', entityRef),
      query,
    );
    return {
      items: page.rows.map(row => toExemption(row, query.now)),
      totalCount: page.totalCount,
      nextCursor: page.nextCursor,
    };
  }
}
