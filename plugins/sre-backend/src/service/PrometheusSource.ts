import { RatioQuery, SliSource } from '@portal/plugin-sre-node';
import { queryForWindow } from './openslo';

export interface PrometheusServer {
  name: string;
  url: string;
  timeoutMs: number;
}

/**
 * Ratio SLIs from Prometheus' HTTP API: one instant query per window,
 * (good) / (total), at the evaluation time.
 */
export class PrometheusSource implements SliSource {
  readonly type = 'Prometheus';

  constructor(private readonly server: PrometheusServer) {}

  describe() {
    return { name: this.server.name, url: this.server.url };
  }

  async ratios(query: RatioQuery, windows: string[], at: Date) {
    const out: Record<string, number | null> = {};
    for (const window of windows) {
      const expr = `(${queryForWindow(query.good, window)}) / (${queryForWindow(
        query.total,
        window,
      )})`;
      out[window] = await this.instant(expr, at);
    }
    return out;
  }

  /** The single value of an instant query; null when empty or not a number. */
  async instant(expr: string, at: Date): Promise<number | null> {
    const body = new URLSearchParams({
      query: expr,
      time: String(at.getTime() / 1000),
    });
    let res: Response;
    try {
      res = await fetch(`${this.server.url.replace(/\/$/, '')}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        signal: AbortSignal.timeout(this.server.timeoutMs),
      });
    } catch (error: any) {
      const why =
        error?.name === 'TimeoutError'
          ? `no answer within ${this.server.timeoutMs} ms`
          : error?.cause?.code ?? error?.message ?? String(error);
      throw new Error(
        `Prometheus ${this.server.name} (${this.server.url}) is unreachable: ${why}`,
      );
    }
    let json: any;
    try {
      json = await res.json();
    } catch {
      throw new Error(
        `Prometheus ${this.server.name} answered ${res.status} without JSON`,
      );
    }
    if (!res.ok || json.status !== 'success') {
      throw new Error(
        `Prometheus ${this.server.name} refused the query (${res.status}): ${
          json.error ?? 'no reason given'
        }`,
      );
    }
    const result = json.data?.result;
    let value: unknown;
    if (json.data?.resultType === 'scalar') value = result?.[1];
    else if (Array.isArray(result) && result.length)
      value = result[0].value?.[1];
    const n = value === undefined ? NaN : Number(value);
    return Number.isFinite(n) ? n : null;
  }
}
