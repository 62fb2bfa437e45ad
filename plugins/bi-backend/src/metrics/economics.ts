import { ProductEconomics } from '@portal/plugin-bi-common';
import { MetricDefinition, MetricReader, MetricValue } from './metrics';

/** A product's monthly cloud cost, as FinOps reports it. */
export interface ProductCost {
  currency: string;
  monthly: Array<{ period: string; amount: number }>;
  demo: boolean;
}

/** Where product cost comes from (FinOps, over HTTP, in the plugin). */
export type CostReader = (entityRef: string) => Promise<ProductCost>;

const CACHE_MS = 5 * 60_000;

/**
 * Puts a product's cloud cost next to its business metrics and works out the
 * unit cost (cost per order, per active user) month by month. A metric whose
 * source fails is reported with its error; the others still show.
 */
export class ProductEconomicsService {
  private readonly cache = new Map<
    string,
    { at: number; values: Promise<MetricValue[]> }
  >();

  constructor(
    private readonly metrics: MetricDefinition[],
    private readonly reader: MetricReader,
    private readonly costOf: CostReader,
    private readonly now: () => number = Date.now,
  ) {}

  private values(metric: MetricDefinition): Promise<MetricValue[]> {
    const cached = this.cache.get(metric.name);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.values;
    const values = this.reader.read(metric);
    this.cache.set(metric.name, { at: this.now(), values });
    values.catch(() => this.cache.delete(metric.name));
    return values;
  }

  async economics(entityRef: string): Promise<ProductEconomics> {
    const ref = entityRef.toLowerCase();
    const cost = await this.costOf(ref);
    const months = cost.monthly.map(p => p.period);
    const amounts = cost.monthly.map(p => p.amount);
    const errors: ProductEconomics['errors'] = [];
    const series: ProductEconomics['metrics'] = [];
    for (const metric of this.metrics) {
      let values: MetricValue[];
      try {
        values = await this.values(metric);
      } catch (error) {
        errors.push({
          metric: metric.title,
          message: (error as Error).message,
        });
        continue;
      }
      const byMonth = new Map<string, number>();
      for (const v of values) {
        if (v.entityRef === ref) {
          byMonth.set(v.month, (byMonth.get(v.month) ?? 0) + v.value);
        }
      }
      if (byMonth.size === 0) continue; // not a metric of this product
      const monthly = months.map(m => byMonth.get(m) ?? null);
      series.push({
        name: metric.name,
        title: metric.title,
        unit: metric.unit,
        values: monthly,
        unitCost: monthly.map((v, i) =>
          v && v > 0 ? Math.round((amounts[i] / v) * 10_000) / 10_000 : null,
        ),
      });
    }
    return {
      ref,
      currency: cost.currency,
      months,
      cost: amounts,
      metrics: series,
      errors,
      demo: cost.demo,
    };
  }
}
