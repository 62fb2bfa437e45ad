/**
 * The SLI data-source extension point of the SRE backend, and what other
 * backend plugins read of SRE (sreReliabilityServiceRef).
 *
 * @packageDocumentation
 */
import { createExtensionPoint } from '@backstage/backend-plugin-api';

/** A ratio SLI: good events over all events, as the source's queries. */
export interface RatioQuery {
  good: string;
  total: string;
}

/**
 * Answers ratio SLIs for one kind of OpenSLO metricSource (its `type`, e.g.
 * Prometheus). The SRE backend asks for every window of an SLO at once.
 */
export interface SliSource {
  /** The OpenSLO metricSource type it answers (compared case-insensitively). */
  type: string;
  /** Name and address, for the "where does this come from" line in the views. */
  describe(): { name: string; url: string };
  /**
   * good/total over each window ending at `at`; null for a window without
   * data. Throws when the source cannot answer (unreachable, slow, an error).
   */
  ratios(
    query: RatioQuery,
    windows: string[],
    at: Date,
  ): Promise<Record<string, number | null>>;
  /**
   * Optional: the same over a time range, one value per step (seconds since
   * the epoch, ratio or null), so a new SLO gets its recent history at once.
   */
  rangeRatios?(
    query: RatioQuery,
    windows: string[],
    range: { start: Date; end: Date; stepSeconds: number },
  ): Promise<Record<string, Array<[number, number | null]>>>;
}

/** Adds SLI sources to the SRE backend. @public */
export interface SreSliSourcesExtensionPoint {
  addSliSource(source: SliSource): void;
}

/** @public */
export const sreSliSourcesExtensionPoint =
  createExtensionPoint<SreSliSourcesExtensionPoint>({
    id: 'sre.sli-sources',
  });

export {
  PrometheusSource,
  queryForWindow,
  WINDOW_PLACEHOLDER,
} from './PrometheusSource';
export type { PrometheusServer } from './PrometheusSource';
export * from './reliability';
