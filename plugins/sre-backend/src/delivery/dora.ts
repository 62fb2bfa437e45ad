import {
  DeliveryMetrics,
  DeliverySignal,
  TeamDelivery,
} from '@portal/plugin-sre-common';

/** What the repository's history says, read from GitHub. */
export interface DeliveryHistory {
  /** Production deployments (or releases), newest first. */
  deploys: Array<{ at: string; failed: boolean }>;
  /** Pull requests merged into the default branch: opened and merged. */
  merged: Array<{ openedAt: string; mergedAt: string }>;
  /** Incident-labelled issues: opened, and closed when restored. */
  incidents: Array<{ openedAt: string; closedAt?: string }>;
}

const HOUR = 3_600_000;
export const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/**
 * The four DORA measures over the `days` before `now`:
 *
 * - deployment frequency: successful production deploys per day;
 * - lead time for changes: from a pull request being opened to the first
 *   successful deploy at or after its merge (median, hours);
 * - change failure rate: failed deploys, plus incidents opened, over all
 *   deploys (at most 1);
 * - time to restore: an incident issue's time from opened to closed
 *   (median, hours).
 */
export function computeDora(
  history: DeliveryHistory,
  signal: DeliverySignal,
  days: number,
  now: Date,
): Omit<DeliveryMetrics, 'entityRef' | 'computedAt'> {
  const from = now.getTime() - days * 86_400_000;
  const inPeriod = (iso: string) => {
    const t = Date.parse(iso);
    return t >= from && t <= now.getTime();
  };
  const deploys = history.deploys.filter(d => inPeriod(d.at));
  const good = deploys
    .filter(d => !d.failed)
    .map(d => Date.parse(d.at))
    .sort((a, b) => a - b);
  const leadTimes: number[] = [];
  for (const pr of history.merged.filter(p => inPeriod(p.mergedAt))) {
    const merged = Date.parse(pr.mergedAt);
    const shipped = good.find(t => t >= merged);
    if (shipped !== undefined)
      leadTimes.push((shipped - Date.parse(pr.openedAt)) / HOUR);
  }
  const incidents = history.incidents.filter(i => inPeriod(i.openedAt));
  const restored = history.incidents
    .filter(i => i.closedAt && inPeriod(i.closedAt))
    .map(i => (Date.parse(i.closedAt!) - Date.parse(i.openedAt)) / HOUR);
  const failures = deploys.filter(d => d.failed).length + incidents.length;
  return {
    signal,
    periodDays: days,
    deployments: good.length,
    deploymentsPerDay: good.length / days,
    leadTimeHours: median(leadTimes),
    changeFailureRate: deploys.length
      ? Math.min(1, failures / deploys.length)
      : null,
    timeToRestoreHours: median(restored),
    incidents: incidents.length,
  };
}

/** A team's delivery: deploys added up, medians of its entities' medians. */
export function teamDelivery(entities: DeliveryMetrics[]): TeamDelivery {
  const measured = entities.filter(e => e.computedAt);
  const deployments = measured.reduce((n, e) => n + e.deployments, 0);
  const values = (pick: (e: DeliveryMetrics) => number | null) =>
    measured.map(pick).filter((v): v is number => v !== null);
  const failures = measured.reduce(
    (n, e) => n + (e.changeFailureRate ?? 0) * e.deployments,
    0,
  );
  return {
    entities: measured.length,
    deployments,
    deploymentsPerDay: measured.reduce((n, e) => n + e.deploymentsPerDay, 0),
    leadTimeHours: median(values(e => e.leadTimeHours)),
    changeFailureRate: deployments ? failures / deployments : null,
    timeToRestoreHours: median(values(e => e.timeToRestoreHours)),
  };
}
