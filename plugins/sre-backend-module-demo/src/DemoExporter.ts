import { Counters, DEMO_SERVICES, demoSamples } from './demoTraffic';

const STEP = 5;

/**
 * The live side of the demo traffic: counters that keep growing from the
 * moment the backend started (Prometheus sees a counter reset at each
 * start, which rate() handles), served in Prometheus' text format.
 */
export class DemoExporter {
  private now: number;
  private readonly latest = new Map<string, Counters>(
    DEMO_SERVICES.map(s => [
      s.service,
      { ok: 0, errors: 0, fast: 0, total: 0 },
    ]),
  );
  private until: number;

  /**
   * `historyEnd`: where the backfilled history ends, which places the
   * incidents (see placeIncidents).
   */
  constructor(historyEnd = Date.now() / 1000, startedAt = Date.now() / 1000) {
    this.now = historyEnd;
    this.until = Math.floor(startedAt);
  }

  /** Where the backfilled history ends, once the demo Prometheus knows. */
  placeIncidents(historyEnd: number) {
    this.now = historyEnd;
  }

  render(at = Date.now() / 1000): string {
    // Only the time since the last scrape is integrated.
    const to = Math.floor(at);
    if (to >= this.until + STEP) {
      const base = new Map(this.latest);
      for (const sample of demoSamples(this.until + STEP, to, STEP, this.now)) {
        const b = base.get(sample.service)!;
        const c = sample.counters;
        this.latest.set(sample.service, {
          ok: b.ok + c.ok,
          errors: b.errors + c.errors,
          fast: b.fast + c.fast,
          total: b.total + c.total,
        });
        this.until = sample.t;
      }
    }
    const lines = [
      '# TYPE http_requests_total counter',
      ...[...this.latest].flatMap(([service, c]) => [
        `http_requests_total{service="${service}",code="200"} ${c.ok.toFixed(
          3,
        )}`,
        `http_requests_total{service="${service}",code="500"} ${c.errors.toFixed(
          3,
        )}`,
      ]),
      '# TYPE http_request_duration_seconds_bucket untyped',
      ...[...this.latest].map(
        ([service, c]) =>
          `http_request_duration_seconds_bucket{service="${service}",le="0.3"} ${c.fast.toFixed(
            3,
          )}`,
      ),
      '# TYPE http_request_duration_seconds_count untyped',
      ...[...this.latest].map(
        ([service, c]) =>
          `http_request_duration_seconds_count{service="${service}"} ${c.total.toFixed(
            3,
          )}`,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }
}
