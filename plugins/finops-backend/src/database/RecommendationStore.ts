/*
 * Purchase recommendations (finops_recommendations), replaced per source
 * at each fetch.
 */
import { Recommendation } from '@portal/plugin-finops-common';
import { PurchaseRecommendation } from '@portal/plugin-finops-node';
import { Knex } from 'knex';
import { RECOMMENDATIONS, Row, ROWS_PER_INSERT, toDate } from './tables';

/** The recommendations of every source. */
export class RecommendationStore {
  constructor(private readonly knex: Knex) {}

  /** Replaces a source's purchase recommendations. */
  async replaceRecommendations(
    source: string,
    recommendations: PurchaseRecommendation[],
    fetchedAt: Date,
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(RECOMMENDATIONS).where('source', source).delete();
      for (let i = 0; i < recommendations.length; i += ROWS_PER_INSERT) {
        await tx(RECOMMENDATIONS).insert(
          recommendations.slice(i, i + ROWS_PER_INSERT).map(r => ({
            source,
            kind: r.kind,
            description: r.description,
            service: r.service,
            term: r.term,
            payment_option: r.paymentOption,
            monthly_savings: r.estimatedMonthlySavings,
            upfront_cost: r.upfrontCost,
            currency: r.currency,
            fetched_at: fetchedAt,
          })),
        );
      }
    });
  }

  /** Every source's recommendations, biggest saving first. */
  async listRecommendations(): Promise<Recommendation[]> {
    const rows: Row[] = await this.knex(RECOMMENDATIONS).orderBy(
      'monthly_savings',
      'desc',
    );
    return rows.map(r => ({
      source: r.source,
      kind: r.kind,
      description: r.description,
      service: r.service,
      term: r.term,
      paymentOption: r.payment_option,
      estimatedMonthlySavings: Number(r.monthly_savings),
      upfrontCost: Number(r.upfront_cost),
      currency: r.currency,
      fetchedAt: toDate(r.fetched_at).toISOString(),
    }));
  }
}
