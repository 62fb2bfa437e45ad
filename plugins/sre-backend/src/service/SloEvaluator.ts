import { LoggerService } from '@backstage/backend-plugin-api';
import {
  budgetRemaining,
  burnRate,
  BURN_RATE_WINDOWS,
  BurnRateWindow,
  sloStatus,
} from '@portal/plugin-sre-common';
import { SliSource } from '@portal/plugin-sre-node';
import { SloDefinition, SreStore } from '../database/SreStore';

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
    let failed = 0;
    let firstError: string | undefined;
    await eachLimited(
      definitions,
      this.options.concurrency,
      async definition => {
        try {
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
    const clamp = (v: number | null) =>
      v === null ? null : Math.min(Math.max(v, 0), 1);
    const sli = clamp(ratios[definition.window] ?? null);
    const burnRates: Partial<Record<BurnRateWindow, number | null>> = {};
    for (const w of BURN_RATE_WINDOWS) {
      burnRates[w] = burnRate(clamp(ratios[w] ?? null), definition.target);
    }
    const remaining = budgetRemaining(sli, definition.target);
    await this.store.saveEvaluation(definition.id, at, {
      sli,
      errorBudgetRemaining: remaining,
      burnRates,
      status: sloStatus(remaining, burnRates),
    });
  }
}
