/*
 * Scorecards: check results per entity and day (secops_check_results),
 * each entity's level and score per day (secops_scorecards) and each
 * group's roll-up per day (secops_group_scores). Writing a day again
 * replaces that day's rows: an evaluation is idempotent.
 */
import { Knex } from 'knex';
import {
  CHECK_RESULTS,
  GROUP_SCORES,
  ID_CHUNK,
  inChunks,
  INSERT_CHUNK,
  SCORECARDS,
  Timestamp,
  toDate,
} from './tables';

export interface CheckResultRow {
  checkId: string;
  entityRef: string;
  passed: boolean;
  detail: string;
  records?: string[];
}

export interface EntityScoreRow {
  entityRef: string;
  /** bronze, silver, gold, or undefined below bronze. */
  level?: string;
  passed: number;
  total: number;
  score: number;
}

export interface GroupScoreRow {
  groupRef: string;
  groupType?: string;
  entities: number;
  score: number;
  gold: number;
  silver: number;
  bronze: number;
}

/** The UTC day of a time, as the tables key it. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class ScorecardStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Stores one evaluation: the day's rows of every table are replaced by
   * these, in one transaction (a reader sees the day before or after it,
   * never half of it).
   */
  async writeDay(
    at: Date,
    rows: {
      results: CheckResultRow[];
      entities: EntityScoreRow[];
      groups: GroupScoreRow[];
    },
  ): Promise<void> {
    const day = dayOf(at);
    await this.knex.transaction(async tx => {
      await tx(CHECK_RESULTS).where('day', day).delete();
      await tx(SCORECARDS).where('day', day).delete();
      await tx(GROUP_SCORES).where('day', day).delete();
      await inChunks(rows.results, INSERT_CHUNK, chunk =>
        tx(CHECK_RESULTS).insert(
          chunk.map(r => ({
            check_id: r.checkId,
            entity_ref: r.entityRef,
            day,
            passed: r.passed,
            detail: r.detail,
            records: r.records?.length ? JSON.stringify(r.records) : null,
            evaluated_at: at,
          })),
        ),
      );
      await inChunks(rows.entities, INSERT_CHUNK, chunk =>
        tx(SCORECARDS).insert(
          chunk.map(e => ({
            entity_ref: e.entityRef,
            day,
            level: e.level ?? null,
            passed: e.passed,
            total: e.total,
            score: e.score,
            evaluated_at: at,
          })),
        ),
      );
      await inChunks(rows.groups, INSERT_CHUNK, chunk =>
        tx(GROUP_SCORES).insert(
          chunk.map(g => ({
            group_ref: g.groupRef,
            day,
            group_type: g.groupType ?? null,
            entities: g.entities,
            score: g.score,
            gold: g.gold,
            silver: g.silver,
            bronze: g.bronze,
            evaluated_at: at,
          })),
        ),
      );
    });
  }

  /** The latest day with an evaluation, if any. */
  async latestDay(): Promise<string | undefined> {
    const row = await this.knex(SCORECARDS).max({ day: 'day' }).first();
    return (row?.day as string | null) ?? undefined;
  }

  /** An entity's check results on its latest evaluated day. */
  async entityResults(entityRef: string) {
    const latest = await this.knex(SCORECARDS)
      .where('entity_ref', entityRef)
      .max({ day: 'day' })
      .first();
    const day = latest?.day as string | undefined;
    if (!day) return undefined;
    const [card, results] = await Promise.all([
      this.knex(SCORECARDS).where({ entity_ref: entityRef, day }).first(),
      this.knex(CHECK_RESULTS)
        .where({ entity_ref: entityRef, day })
        .orderBy('check_id'),
    ]);
    return {
      day,
      evaluatedAt: toDate(card.evaluated_at as Timestamp),
      level: (card.level as string | null) ?? undefined,
      score: Number(card.score),
      passed: Number(card.passed),
      total: Number(card.total),
      results: (
        results as Array<{
          check_id: string;
          passed: boolean | number;
          detail: string;
          records: string | null;
        }>
      ).map(r => ({
        checkId: r.check_id,
        passed: Boolean(r.passed),
        detail: r.detail,
        records: r.records ? (JSON.parse(r.records) as string[]) : [],
      })),
    };
  }

  /** An entity's level and score per day since `fromDay`, oldest first. */
  async entityHistory(entityRef: string, fromDay: string) {
    const rows: Array<{ day: string; level: string | null; score: number }> =
      await this.knex(SCORECARDS)
        .where('entity_ref', entityRef)
        .andWhere('day', '>=', fromDay)
        .orderBy('day')
        .select('day', 'level', 'score');
    return rows.map(r => ({
      day: r.day,
      level: r.level ?? undefined,
      score: Number(r.score),
    }));
  }

  /** Each entity's level and score on a day. */
  async entityScores(entityRefs: string[], day: string) {
    const scores = new Map<string, EntityScoreRow>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{
        entity_ref: string;
        level: string | null;
        passed: number;
        total: number;
        score: number;
      }> = await this.knex(SCORECARDS)
        .where('day', day)
        .whereIn('entity_ref', refs);
      for (const r of rows) {
        scores.set(r.entity_ref, {
          entityRef: r.entity_ref,
          level: r.level ?? undefined,
          passed: Number(r.passed),
          total: Number(r.total),
          score: Number(r.score),
        });
      }
    });
    return scores;
  }

  /**
   * Groups of a type on a day, best score first (then most entities, then
   * by ref): a page, and how many there are.
   */
  async groupScores(
    day: string,
    query: { groupType: string; offset: number; limit: number },
  ) {
    const base = () =>
      this.knex(GROUP_SCORES)
        .where({ day, group_type: query.groupType })
        .andWhere('entities', '>', 0);
    const [rows, [{ n }]] = await Promise.all([
      base()
        .orderBy([
          { column: 'score', order: 'desc' },
          { column: 'entities', order: 'desc' },
          { column: 'group_ref', order: 'asc' },
        ])
        .offset(query.offset)
        .limit(query.limit),
      base().count({ n: '*' }),
    ]);
    return {
      items: (rows as any[]).map(toGroupScore),
      totalCount: Number(n),
    };
  }

  /** The scores of these groups on a day, by group ref. */
  async groupScoresOf(groupRefs: string[], day: string) {
    const scores = new Map<string, GroupScoreRow>();
    await inChunks(groupRefs, ID_CHUNK, async refs => {
      const rows = await this.knex(GROUP_SCORES)
        .where('day', day)
        .whereIn('group_ref', refs);
      for (const row of rows) scores.set(row.group_ref, toGroupScore(row));
    });
    return scores;
  }

  /**
   * The latest day with an evaluation at or before `day` (a trend compares
   * with the closest earlier day that has one).
   */
  async dayAtOrBefore(day: string): Promise<string | undefined> {
    const row = await this.knex(SCORECARDS)
      .where('day', '<=', day)
      .max({ day: 'day' })
      .first();
    return (row?.day as string | null) ?? undefined;
  }
}

export interface ControlDay {
  day: string;
  /** Entities with a result of any of the control's checks. */
  entities: number;
  /** Of those, the entities whose every result passed. */
  passing: number;
}

/** The rows of the control queries: a failed result counts 1. */
const FAILED = 'sum(case when passed then 0 else 1 end)';

export class ControlQueries {
  constructor(private readonly knex: Knex) {}

  /**
   * Per day since `fromDay`, how many entities had results of these checks
   * and how many passed them all; over every entity, or only these.
   */
  async byDay(
    checkIds: string[],
    fromDay: string,
    entityRefs?: string[],
  ): Promise<ControlDay[]> {
    if (!entityRefs) {
      const perEntity = this.knex(CHECK_RESULTS)
        .whereIn('check_id', checkIds)
        .andWhere('day', '>=', fromDay)
        .groupBy('day', 'entity_ref')
        .select('day', this.knex.raw(`${FAILED} as failed`));
      const rows: Array<{ day: string; entities: unknown; passing: unknown }> =
        await this.knex
          .from(perEntity.as('t'))
          .groupBy('day')
          .orderBy('day')
          .select(
            'day',
            this.knex.raw('count(*) as entities'),
            this.knex.raw(
              'sum(case when failed = 0 then 1 else 0 end) as passing',
            ),
          );
      return rows.map(r => ({
        day: r.day,
        entities: Number(r.entities),
        passing: Number(r.passing ?? 0),
      }));
    }
    const days = new Map<string, ControlDay>();
    await inChunks(entityRefs, ID_CHUNK, async refs => {
      const rows: Array<{ day: string; failed: unknown }> = await this.knex(
        CHECK_RESULTS,
      )
        .whereIn('check_id', checkIds)
        .whereIn('entity_ref', refs)
        .andWhere('day', '>=', fromDay)
        .groupBy('day', 'entity_ref')
        .select('day', this.knex.raw(`${FAILED} as failed`));
      for (const row of rows) {
        const day = days.get(row.day) ?? {
          day: row.day,
          entities: 0,
          passing: 0,
        };
        day.entities++;
        if (Number(row.failed) === 0) day.passing++;
        days.set(row.day, day);
      }
    });
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Every result of these checks on a day, by entity then check. */
  async results(checkIds: string[], day: string, entityRefs?: string[]) {
    const read = (refs?: string[]) => {
      const q = this.knex(CHECK_RESULTS)
        .whereIn('check_id', checkIds)
        .andWhere('day', day);
      if (refs) q.whereIn('entity_ref', refs);
      return q
        .orderBy(['entity_ref', 'check_id'])
        .select(
          'entity_ref',
          'check_id',
          'passed',
          'detail',
          'records',
          'evaluated_at',
        );
    };
    const rows: any[] = [];
    if (entityRefs) {
      await inChunks(entityRefs, ID_CHUNK, async refs => {
        rows.push(...(await read(refs)));
      });
    } else {
      rows.push(...(await read()));
    }
    return rows.map(r => ({
      entityRef: r.entity_ref as string,
      checkId: r.check_id as string,
      passed: Boolean(r.passed),
      detail: r.detail as string,
      records: r.records ? (JSON.parse(r.records) as string[]) : [],
      evaluatedAt: toDate(r.evaluated_at as Timestamp),
    }));
  }
}

function toGroupScore(row: any): GroupScoreRow {
  return {
    groupRef: row.group_ref,
    groupType: row.group_type ?? undefined,
    entities: Number(row.entities),
    score: Number(row.score),
    gold: Number(row.gold),
    silver: Number(row.silver),
    bronze: Number(row.bronze),
  };
}
