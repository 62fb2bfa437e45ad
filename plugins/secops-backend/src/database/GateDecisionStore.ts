/*
 * Gate decisions (secops_gate_decisions): every answer the gate gave, with
 * who asked and for which commit.
 */
import { GateDecision } from '@portal/plugin-secops-common';
import { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { logEvent } from './eventLog';
import { GateDecisionStore, RecordedGateDecision } from './types';
import { DECISIONS, ID_CHUNK, inChunks, Timestamp, toDate } from './tables';

type DecisionRow = {
  id: string;
  entity_ref: string;
  gate: string;
  passed: boolean | number;
  reasons: string;
  created_at: Timestamp;
};

function toDecision(row: DecisionRow): GateDecision {
  return {
    decisionId: row.id,
    entityRef: row.entity_ref,
    gate: row.gate,
    passed: Boolean(row.passed),
    reasons: JSON.parse(row.reasons),
    evaluatedAt: toDate(row.created_at).toISOString(),
  };
}

/** The decisions with these ids, by id (the event log's gate events). */
export async function decisionsById(
  knex: Knex,
  ids: string[],
): Promise<Map<string, GateDecision>> {
  const decisions = new Map<string, GateDecision>();
  if (ids.length) {
    const found: DecisionRow[] = await knex(DECISIONS).whereIn('id', ids);
    found.forEach(row => decisions.set(row.id, toDecision(row)));
  }
  return decisions;
}

/** The gate decisions on knex: SQLite and PostgreSQL. */
export class DatabaseGateDecisionStore implements GateDecisionStore {
  constructor(private readonly knex: Knex) {}

  async recordGateDecision(decision: RecordedGateDecision): Promise<string> {
    const id = randomUUID();
    await this.knex(DECISIONS).insert({
      id,
      entity_ref: decision.entityRef,
      gate: decision.gate,
      passed: decision.passed,
      reasons: JSON.stringify(decision.reasons),
      commit_sha: decision.commitSha ?? null,
      branch: decision.branch ?? null,
      requested_by: decision.requestedBy,
      created_at: new Date(decision.evaluatedAt),
    });
    await logEvent(this.knex, {
      kind: 'gate',
      action: decision.passed ? 'passed' : 'failed',
      entityRef: decision.entityRef,
      refId: id,
      actor: decision.requestedBy,
      at: new Date(decision.evaluatedAt),
    });
    return id;
  }

  async lastPipelineDecisions(
    entityRefs: string[],
  ): Promise<Map<string, Date>> {
    const last = new Map<string, Date>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{ entity_ref: string; last: Timestamp }> =
        await this.knex(DECISIONS)
          .whereIn('entity_ref', refs)
          .andWhere('requested_by', 'not like', 'user:%')
          .groupBy('entity_ref')
          .select('entity_ref', this.knex.raw('max(created_at) as last'));
      for (const row of rows) last.set(row.entity_ref, toDate(row.last));
    });
    return last;
  }

  async latestGateDecision(
    entityRef: string,
  ): Promise<GateDecision | undefined> {
    const row: DecisionRow | undefined = await this.knex(DECISIONS)
      .where('entity_ref', entityRef)
      .orderBy('created_at', 'desc')
      .first();
    return row ? toDecision(row) : undefined;
  }
}
