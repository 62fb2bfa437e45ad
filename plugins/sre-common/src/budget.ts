/*
 * Error-budget arithmetic, after the Google SRE workbook ("Alerting on
 * SLOs"): the burn rate is how fast the budget goes, 1 meaning exactly
 * within the SLO's window. Alerts look at a long and a short window at once,
 * so they fire fast on a real burn and stop soon after it ends.
 */

import { SloStatus } from './schema/openapi';

/** The multi-window burn-rate pairs and their thresholds (for a 30-day SLO). */
export const BURN_RATE_ALERTS = [
  { long: '1h', short: '5m', threshold: 14.4, severity: 'page' },
  { long: '6h', short: '30m', threshold: 6, severity: 'page' },
  { long: '3d', short: '6h', threshold: 1, severity: 'ticket' },
] as const;

/** Every window a burn rate is computed over. */
export const BURN_RATE_WINDOWS = ['5m', '30m', '1h', '6h', '3d'] as const;
export type BurnRateWindow = (typeof BURN_RATE_WINDOWS)[number];

// SloStatus (ok, burning, burning-fast, exhausted, no-data, unknown) is
// the spec's (plugins/sre-backend/src/schema/openapi.yaml), generated into
// ./schema/openapi.

/** Worst first, for sorting. */
export const STATUS_ORDER: SloStatus[] = [
  'exhausted',
  'burning-fast',
  'burning',
  'no-data',
  'unknown',
  'ok',
];

/** How fast the budget burns: the error ratio over the allowed one. */
export function burnRate(sli: number | null, target: number): number | null {
  if (sli === null || !Number.isFinite(sli)) return null;
  return (1 - sli) / (1 - target);
}

/**
 * The share of the window's budget left: 1 untouched, 0 spent, below 0
 * overspent.
 */
export function budgetRemaining(
  sli: number | null,
  target: number,
): number | null {
  const rate = burnRate(sli, target);
  return rate === null ? null : 1 - rate;
}

/** The status of an SLO from its budget and burn rates. */
export function sloStatus(
  remaining: number | null,
  rates: Partial<Record<BurnRateWindow, number | null>>,
): SloStatus {
  if (remaining === null) return 'no-data';
  if (remaining <= 0) return 'exhausted';
  const fires = (long: BurnRateWindow, short: BurnRateWindow, t: number) =>
    (rates[long] ?? 0) > t && (rates[short] ?? 0) > t;
  for (const alert of BURN_RATE_ALERTS) {
    if (fires(alert.long, alert.short, alert.threshold)) {
      return alert.severity === 'page' ? 'burning-fast' : 'burning';
    }
  }
  return 'ok';
}

/** "28d", "1h", "30m" in seconds; undefined for anything else. */
export function durationSeconds(duration: string): number | undefined {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(duration);
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's'];
  return Number(m[1]) * unit;
}
