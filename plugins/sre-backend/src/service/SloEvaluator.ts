import { LoggerService } from '@backstage/backend-plugin-api';
import {
  budgetRemaining,
  burnRate,
  BURN_RATE_WINDOWS,
  BurnRateWindow,
  sloStatus,
} from '@portal/plugin-sre-common';
import { SliSource } from '@portal/plugin-sre-node';
import { SloDefinition } from '@portal/plugin-sre-common';
import { SreStore } from '../database/SreStore';

/** Runs `fn` over items with at most `limit` at a time. */
export async function eachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from(
    { length: Math.min(limit, items.length) },
    async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    },
  );
  await Promise.all(workers);
}

/** How far back a new SLO's history is read from the source. */
const BACKFILL_DAYS = 7;

export interface EvaluationRun {
  at: string;
  evaluated: number;
  failed: number;
  durationMs: number;
  firstError?: string;
}

/**
 * Evaluates every stored SLO against its source: the SLI over the SLO's
 * window, the budget left, burn rates over the workbook's windows, the
 * status. A failed SLO keeps its last values and records the error.
 */
export class SloEvaluator {
  private lastRun?: EvaluationRun;

  constructor(
    private readonly store: SreStore,
    private readonly sources: SliSource[],
    private readonly options: { concurrency: number },
    private readonly logger: LoggerService,
  ) {}

  lastEvaluation(): EvaluationRun | undefined {
    return this.lastRun;
  }

  sourceFor(type: string): SliSource | undefined {
    return this.sources.find(s => s.type.toLowerCase() === type.toLowerCase());
  }

  async evaluateAll(at = new Date()): Promise<EvaluationRun> {
    const started = Date.now();
    const definitions = await this.store.definitions();
    const withHistory = await this.store.sloIdsWithHistory();
    let failed = 0;
    let firstError: string | undefined;
    await eachLimited(
      definitions,
      this.options.concurrency,
      async definition => {
        try {
          if (!withHistory.has(definition.id)) {
            await this.backfill(definition, at);
          }
          await this.evaluate(definition, at);
        } catch (error: any) {
          failed += 1;
          firstError ??= error.message;
          await this.store.saveError(definition.id, at, error.message);
        }
      },
    );
    this.lastRun = {
      at: at.toISOString(),
      evaluated: definitions.length - failed,
      failed,
      durationMs: Date.now() - started,
      firstError,
    };
    if (failed) {
      this.logger.warn(
        `${failed} of ${definitions.length} SLOs could not be evaluated: ${firstError}`,
      );
    }
    return this.lastRun;
  }

  /**
   * A new SLO's last week, hour by hour, from the source's range queries
   * (when it has them), so its charts are not empty on the first day.
   */
  async backfill(definition: SloDefinition & { id: string }, at: Date) {
    const source = this.sourceFor(definition.sourceType);
    if (!source?.rangeRatios) return;
    const windows = [...new Set([...BURN_RATE_WINDOWS, definition.window])];
    const end = new Date(Math.floor(at.getTime() / 3600_000) * 3600_000);
    const series = await source.rangeRatios(
      { good: definition.goodQuery, total: definition.totalQuery },
      windows,
      {
        start: new Date(end.getTime() - BACKFILL_DAYS * 86_400_000),
        end,
        stepSeconds: 3600,
      },
    );
    const byTime = new Map<number, Record<string, number | null>>();
    for (const [window, values] of Object.entries(series)) {
      for (const [t, v] of values) {
        byTime.set(t, { ...byTime.get(t), [window]: v });
      }
    }
    const points = [...byTime].map(([t, ratios]) => ({
      at: new Date(t * 1000),
      ...this.assess(definition, ratios),
    }));
    await this.store.saveHistory(definition.id, points);
  }

  /** SLI, budget, burn rates and status from the ratio of each window. */
  private assess(
    definition: SloDefinition,
    ratios: Record<string, number | null>,
  ) {
    const clamp = (v: number | null | undefined) =>
      v === null || v === undefined ? null : Math.min(Math.max(v, 0), 1);
    const sli = clamp(ratios[definition.window]);
    const burnRates: Partial<Record<BurnRateWindow, number | null>> = {};
    for (const w of BURN_RATE_WINDOWS) {
      burnRates[w] = burnRate(clamp(ratios[w]), definition.target);
    }
    const remaining = budgetRemaining(sli, definition.target);
    return {
      sli,
      errorBudgetRemaining: remaining,
      burnRates,
      status: sloStatus(remaining, burnRates),
    };
  }

  async evaluate(definition: SloDefinition & { id: string }, at: Date) {
    const source = this.sourceFor(definition.sourceType);
    if (!source) {
      throw new Error(
        `no SLI source answers metricSource type ${definition.sourceType}: configure sre.prometheus`,
      );
    }
    const windows = [...new Set([...BURN_RATE_WINDOWS, definition.window])];
    const ratios = await source.ratios(
      { good: definition.goodQuery, total: definition.totalQuery },
      windows,
      at,
    );
    await this.store.saveEvaluation(
      definition.id,
      at,
      this.assess(definition, ratios),
    );
  }
}
