/*
 * Synthetic traffic of the demo organisation's services: request and
 * latency counters with a daily rhythm, a little background failure, and
 * incidents, so the demo SLOs have budgets in every state. It is the same
 * model for the backfilled history and for the live /demo/metrics endpoint.
 */

export interface DemoService {
  service: string;
  /** Requests per second on average. */
  rps: number;
  /** Share of requests that fail outside incidents. */
  errorRatio: number;
  /** Share slower than 300 ms. */
  slowRatio: number;
  /** Incidents, as hours before "now" when they start, how long, how bad. */
  incidents: Array<{ hoursAgo: number; hours: number; errorRatio: number }>;
}

/** Healthy, burning now, exhausted and recovering: one of each. */
export const DEMO_SERVICES: DemoService[] = [
  {
    service: 'checkout-service',
    rps: 40,
    errorRatio: 0.0008,
    slowRatio: 0.004,
    incidents: [],
  },
  {
    service: 'payments-api',
    rps: 25,
    errorRatio: 0.0003,
    slowRatio: 0.006,
    // A bad deploy 40 minutes ago that is still failing a tenth of payments.
    incidents: [{ hoursAgo: 0.67, hours: 48, errorRatio: 0.1 }],
  },
  {
    service: 'cart-service',
    rps: 60,
    errorRatio: 0.004,
    slowRatio: 0.008,
    // A long outage nine days ago spent the month's budget.
    incidents: [{ hoursAgo: 9 * 24, hours: 6, errorRatio: 0.35 }],
  },
  {
    service: 'order-service',
    rps: 30,
    errorRatio: 0.001,
    slowRatio: 0.005,
    // Yesterday's slow burn, over now.
    incidents: [{ hoursAgo: 30, hours: 8, errorRatio: 0.02 }],
  },
];

const DAY = 86_400;

/** Requests per second at a time (seconds), with the daily rhythm. */
function rpsAt(s: DemoService, t: number): number {
  return s.rps * (1 + 0.45 * Math.sin((2 * Math.PI * (t % DAY)) / DAY));
}

function errorRatioAt(s: DemoService, t: number, now: number): number {
  let ratio = s.errorRatio;
  for (const i of s.incidents) {
    const start = now - i.hoursAgo * 3600;
    if (t >= start && t < start + i.hours * 3600)
      ratio = Math.max(ratio, i.errorRatio);
  }
  return ratio;
}

export interface Counters {
  ok: number;
  errors: number;
  fast: number;
  total: number;
}

/**
 * Counters of each service sampled every `step` seconds from `from` to `to`
 * (seconds), integrated from the model; `now` places the incidents.
 */
export function* demoSamples(
  from: number,
  to: number,
  step: number | ((t: number) => number),
  now: number,
  services: DemoService[] = DEMO_SERVICES,
): Generator<{ t: number; service: string; counters: Counters }> {
  const stepAt = typeof step === 'number' ? () => step : step;
  const counters = new Map(
    services.map(s => [s.service, { ok: 0, errors: 0, fast: 0, total: 0 }]),
  );
  for (let t = from; t <= to; t += stepAt(t)) {
    const dt = stepAt(t);
    for (const s of services) {
      const c = counters.get(s.service)!;
      const n = rpsAt(s, t) * dt;
      const errors = n * errorRatioAt(s, t, now);
      c.total += n;
      c.errors += errors;
      c.ok += n - errors;
      c.fast += n * (1 - s.slowRatio);
      yield { t, service: s.service, counters: { ...c } };
    }
  }
}

/** The counters as OpenMetrics samples (for promtool's backfill). */
export function openMetricsOf(
  samples: Iterable<{ t: number; service: string; counters: Counters }>,
): string {
  const requests: string[] = [];
  const buckets: string[] = [];
  const counts: string[] = [];
  for (const { t, service, counters: c } of samples) {
    requests.push(
      `http_requests_total{service="${service}",code="200"} ${c.ok.toFixed(
        3,
      )} ${t}`,
      `http_requests_total{service="${service}",code="500"} ${c.errors.toFixed(
        3,
      )} ${t}`,
    );
    buckets.push(
      `http_request_duration_seconds_bucket{service="${service}",le="0.3"} ${c.fast.toFixed(
        3,
      )} ${t}`,
    );
    counts.push(
      `http_request_duration_seconds_count{service="${service}"} ${c.total.toFixed(
        3,
      )} ${t}`,
    );
  }
  // OpenMetrics wants each series' samples together, in time order.
  const bySeries = (lines: string[]) =>
    [...lines].sort((a, b) => {
      const sa = a.slice(0, a.lastIndexOf(' ', a.lastIndexOf(' ') - 1));
      const sb = b.slice(0, b.lastIndexOf(' ', b.lastIndexOf(' ') - 1));
      if (sa !== sb) return sa < sb ? -1 : 1;
      return Number(a.split(' ').pop()) - Number(b.split(' ').pop());
    });
  return [
    '# TYPE http_requests counter',
    ...bySeries(requests),
    // Plain families: the backfill needs no _sum or +Inf bucket this way.
    '# TYPE http_request_duration_seconds_bucket unknown',
    ...bySeries(buckets),
    '# TYPE http_request_duration_seconds_count unknown',
    ...bySeries(counts),
    '# EOF',
    '',
  ].join('\n');
}
