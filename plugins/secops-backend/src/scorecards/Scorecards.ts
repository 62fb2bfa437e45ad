/*
 * Scorecards: every check of every component, once a day (and at start),
 * stored with history; each entity's level (bronze, silver, gold: every
 * check of that level and below passes) and score (the share of its checks
 * that pass); each group's roll-up over what it and the groups below it own;
 * and the leaderboard of teams with their trend.
 */
import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { OwnershipService, readAllEntities } from '@portal/catalog-ownership';
import {
  CheckOutcome,
  SCORECARD_LEVELS,
  ScorecardCheck,
  ScorecardLevel,
} from '@portal/plugin-secops-node';
import {
  CheckResultRow,
  dayOf,
  EntityScoreRow,
  GroupScoreRow,
  ScorecardStore,
} from '../database/ScorecardStore';

const DAY_MS = 24 * 3600 * 1000;
/** Days of history an entity's scorecard shows. */
const HISTORY_DAYS = 30;
/** Days a trend looks back. */
const TREND_DAYS = 7;

const ENTITY_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.annotations',
  'metadata.labels',
  'metadata.tags',
  'spec',
  'relations',
];

/** The level an entity reaches: the highest whose checks (and those below) all pass. */
export function levelOf(
  results: Array<{ level: ScorecardLevel; passed: boolean }>,
): ScorecardLevel | undefined {
  let reached: ScorecardLevel | undefined;
  for (const level of SCORECARD_LEVELS) {
    const failing = results.some(
      r =>
        SCORECARD_LEVELS.indexOf(r.level) <= SCORECARD_LEVELS.indexOf(level) &&
        !r.passed,
    );
    if (failing) break;
    reached = level;
  }
  return reached;
}

export interface EvaluationSummary {
  day: string;
  entities: number;
  checks: number;
  results: number;
  groups: number;
  ms: number;
}

export class Scorecards {
  private readonly checks = new Map<string, ScorecardCheck>();

  constructor(
    private readonly deps: {
      store: ScorecardStore;
      catalog: CatalogService;
      auth: AuthService;
      groups: OwnershipService;
      logger: LoggerService;
      /** Approved, unexpired check exemptions, by check id and entity ref. */
      exemptions?: (
        now: Date,
      ) => Promise<
        Map<string, { id: string; expiresAt: string; justification: string }>
      >;
    },
    checks: ScorecardCheck[],
  ) {
    for (const check of checks) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(check.id) || check.id.length > 64) {
        throw new Error(
          `Scorecard check id '${check.id}' must be lower case words joined by dashes, at most 64 characters`,
        );
      }
      if (this.checks.has(check.id)) {
        throw new Error(`Two scorecard checks have the id '${check.id}'`);
      }
      this.checks.set(check.id, check);
    }
  }

  /** The checks, by level then id. */
  list(): ScorecardCheck[] {
    return [...this.checks.values()].sort(
      (a, b) =>
        SCORECARD_LEVELS.indexOf(a.level) - SCORECARD_LEVELS.indexOf(b.level) ||
        a.id.localeCompare(b.id),
    );
  }

  /** Evaluates at start (after a minute) and every six hours, once across replicas. */
  async schedule(scheduler: SchedulerService) {
    await scheduler.scheduleTask({
      id: 'secops-scorecards',
      frequency: { hours: 6 },
      timeout: { minutes: 30 },
      initialDelay: { minutes: 1 },
      fn: async () => {
        const summary = await this.evaluateAll(new Date());
        this.deps.logger.info(
          `Scorecards: ${summary.results} results of ${summary.checks} checks over ${summary.entities} components in ${summary.ms} ms`,
        );
      },
    });
  }

  /**
   * Every check of every component now; the day's results replace any
   * earlier evaluation of the same day. A check that throws fails its
   * entities with what it said, and the others go on; an outcome the check
   * could not tell (`unknown`) is not recorded, nor counted.
   */
  async evaluateAll(now: Date): Promise<EvaluationSummary> {
    const started = Date.now();
    const { catalog, auth, store, logger } = this.deps;
    const entities = await readAllEntities(
      catalog,
      { filter: { kind: 'Component' }, fields: ENTITY_FIELDS },
      await auth.getOwnServiceCredentials(),
    );
    const items = entities.map(entity => ({
      ref: stringifyEntityRef(entity),
      entity,
    }));
    const exemptions = (await this.deps.exemptions?.(now)) ?? new Map();
    const results: CheckResultRow[] = [];
    const perEntity = new Map<
      string,
      Array<{ level: ScorecardLevel; passed: boolean }>
    >();
    for (const check of this.list()) {
      const applicable = items.filter(
        ({ entity }) => !check.appliesTo || check.appliesTo(entity),
      );
      if (!applicable.length) continue;
      let outcomes: Map<string, CheckOutcome>;
      try {
        outcomes = await check.evaluate(applicable, { now });
      } catch (error) {
        logger.warn(`Scorecard check ${check.id} failed: ${error}`);
        outcomes = new Map(
          applicable.map(({ ref }) => [
            ref,
            { passed: false, detail: `the check could not run: ${error}` },
          ]),
        );
      }
      const unknown: string[] = [];
      for (const { ref } of applicable) {
        let outcome = outcomes.get(ref) ?? {
          passed: false,
          detail: 'no result',
        };
        if (outcome.unknown) {
          unknown.push(`${ref}: ${outcome.detail}`);
          continue;
        }
        const exemption = exemptions.get(`${check.id}\n${ref}`);
        if (exemption && !outcome.passed) {
          // The security team accepted it until the exemption ends.
          outcome = {
            passed: true,
            detail: `exempted until ${exemption.expiresAt.slice(0, 10)} (${
              exemption.justification
            }); found: ${outcome.detail}`,
            records: [
              `check-exemption:${exemption.id}`,
              ...(outcome.records ?? []),
            ],
          };
        }
        results.push({
          checkId: check.id,
          entityRef: ref,
          passed: outcome.passed,
          detail: outcome.detail.slice(0, 1000),
          records: outcome.records,
        });
        perEntity.set(ref, [
          ...(perEntity.get(ref) ?? []),
          { level: check.level, passed: outcome.passed },
        ]);
      }
      if (unknown.length) {
        logger.warn(
          `Scorecard check ${check.id} could not tell for ${
            unknown.length
          } components, not evaluated: ${unknown.slice(0, 3).join('; ')}${
            unknown.length > 3 ? '; ...' : ''
          }`,
        );
      }
    }
    const scores: EntityScoreRow[] = items.map(({ ref }) => {
      const own = perEntity.get(ref) ?? [];
      const passed = own.filter(r => r.passed).length;
      return {
        entityRef: ref,
        level: levelOf(own),
        passed,
        total: own.length,
        score: own.length ? Math.round((1000 * passed) / own.length) / 10 : 0,
      };
    });
    const groupRows = await this.rollUp(scores);
    await store.writeDay(now, {
      results,
      entities: scores,
      groups: groupRows,
    });
    return {
      day: dayOf(now),
      entities: items.length,
      checks: this.checks.size,
      results: results.length,
      groups: groupRows.length,
      ms: Date.now() - started,
    };
  }

  /** Every group of the tree over what it and the groups below it own. */
  private async rollUp(scores: EntityScoreRow[]): Promise<GroupScoreRow[]> {
    const { groups } = this.deps;
    const byRef = new Map(scores.map(s => [s.entityRef, s]));
    const all = (await groups.tree()).all();
    const owned = await groups.ownedEntitiesByGroup(
      all.map(g => g.ref),
      { kinds: ['Component'], fields: [] },
    );
    return all.map(group => {
      const mine = (owned.get(group.ref) ?? [])
        .map(e => byRef.get(stringifyEntityRef(e)))
        .filter((s): s is EntityScoreRow => !!s);
      const count = (level: string) =>
        mine.filter(
          s =>
            s.level &&
            SCORECARD_LEVELS.indexOf(s.level as ScorecardLevel) >=
              SCORECARD_LEVELS.indexOf(level as ScorecardLevel),
        ).length;
      return {
        groupRef: group.ref,
        groupType: group.type,
        entities: mine.length,
        score: mine.length
          ? Math.round(
              (10 * mine.reduce((n, s) => n + s.score, 0)) / mine.length,
            ) / 10
          : 0,
        // At least that level: a gold service counts as silver and bronze too.
        gold: count('gold'),
        silver: count('silver'),
        bronze: count('bronze'),
      };
    });
  }

  /** An entity's scorecard: its level, each check's result and its history. */
  async entityScorecard(entityRef: string, now: Date) {
    const { store } = this.deps;
    const latest = await store.entityResults(entityRef);
    if (!latest) return undefined;
    const from = dayOf(new Date(now.getTime() - HISTORY_DAYS * DAY_MS));
    const history = (await store.entityHistory(entityRef, from)).map(h => ({
      ...h,
      level: h.level as ScorecardLevel | undefined,
    }));
    return {
      entityRef,
      day: latest.day,
      evaluatedAt: latest.evaluatedAt.toISOString(),
      level: latest.level as ScorecardLevel | undefined,
      score: latest.score,
      passed: latest.passed,
      total: latest.total,
      checks: latest.results.map(r => {
        const check = this.checks.get(r.checkId);
        return {
          id: r.checkId,
          title: check?.title ?? r.checkId,
          description: check?.description ?? '',
          level: check?.level ?? ('bronze' as ScorecardLevel),
          passed: r.passed,
          detail: r.detail,
        };
      }),
      history,
    };
  }

  /**
   * Teams, best score first, with their score a week before (the closest
   * evaluated day at or before it) for the trend.
   */
  async leaderboard(page: { offset: number; limit: number }, now: Date) {
    const { store, groups } = this.deps;
    const day = await store.latestDay();
    if (!day) return { items: [], totalCount: 0 };
    const { items, totalCount } = await store.groupScores(day, {
      groupType: 'team',
      ...page,
    });
    const before = await store.dayAtOrBefore(
      dayOf(new Date(now.getTime() - TREND_DAYS * DAY_MS)),
    );
    const earlier =
      before && before !== day
        ? await store.groupScoresOf(
            items.map(i => i.groupRef),
            before,
          )
        : new Map<string, GroupScoreRow>();
    const tree = await groups.tree();
    return {
      day,
      trendSince: before && before !== day ? before : undefined,
      items: items.map((row, i) => ({
        rank: page.offset + i + 1,
        groupRef: row.groupRef,
        title: tree.get(row.groupRef)?.title ?? row.groupRef,
        entities: row.entities,
        score: row.score,
        gold: row.gold,
        silver: row.silver,
        bronze: row.bronze,
        change: earlier.has(row.groupRef)
          ? Math.round(10 * (row.score - earlier.get(row.groupRef)!.score)) / 10
          : undefined,
      })),
      totalCount,
    };
  }

  /**
   * A group's roll-up and the levels of some of its entities (those its
   * reader may see), at the latest evaluation.
   */
  async groupLevels(groupRef: string, entities: Entity[]) {
    const { store } = this.deps;
    const day = await store.latestDay();
    if (!day) return { day, scores: new Map<string, EntityScoreRow>() };
    const refs = entities.map(e => stringifyEntityRef(e));
    const [scores, groups] = await Promise.all([
      store.entityScores(refs, day),
      store.groupScoresOf([groupRef], day),
    ]);
    const group = groups.get(groupRef);
    return {
      day,
      scores,
      rollUp: group && {
        entities: group.entities,
        score: group.score,
        gold: group.gold,
        silver: group.silver,
        bronze: group.bronze,
      },
    };
  }
}
