/*
 * The service's Prometheus metrics, in the text format Prometheus scrapes
 * from /metrics, with exactly the names and labels its SLOs query
 * (catalog/slos.yaml): http_requests_total and
 * http_request_duration_seconds, labelled by service, method, route and
 * status code. Routes are the service's own paths (anything else is
 * "other"), so that a scan of random URLs cannot grow the series.
 */

/** Seconds; 0.3 is the latency SLO's threshold. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1, 2.5, 5];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

const escape = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export class HttpMetrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Series>();

  constructor(
    private readonly service: string,
    private readonly routes: ReadonlySet<string>,
  ) {}

  /** Records one answered request. */
  observe(method: string, path: string, code: number, seconds: number) {
    const route = this.routes.has(path) ? path : 'other';
    const base = `service="${escape(this.service)}",method="${escape(
      method,
    )}",route="${escape(route)}"`;
    const withCode = `${base},code="${code}"`;
    this.requests.set(withCode, (this.requests.get(withCode) ?? 0) + 1);
    const series = this.durations.get(base) ?? {
      labels: base,
      count: 0,
      sum: 0,
      buckets: BUCKETS.map(() => 0),
    };
    series.count++;
    series.sum += seconds;
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) series.buckets[i]++;
    });
    this.durations.set(base, series);
  }

  /** The metrics in Prometheus' text exposition format (0.0.4). */
  render(): string {
    const lines = [
      '# HELP http_requests_total Requests answered, by route and status code.',
      '# TYPE http_requests_total counter',
    ];
    for (const [labels, value] of this.requests) {
      lines.push(`http_requests_total{${labels}} ${value}`);
    }
    lines.push(
      '# HELP http_request_duration_seconds Time to answer a request.',
      '# TYPE http_request_duration_seconds histogram',
    );
    for (const s of this.durations.values()) {
      BUCKETS.forEach((le, i) => {
        lines.push(
          `http_request_duration_seconds_bucket{${s.labels},le="${le}"} ${s.buckets[i]}`,
        );
      });
      lines.push(
        `http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`,
        `http_request_duration_seconds_sum{${s.labels}} ${s.sum}`,
        `http_request_duration_seconds_count{${s.labels}} ${s.count}`,
      );
    }
    return `${lines.join('\n')}\n`;
  }
}
