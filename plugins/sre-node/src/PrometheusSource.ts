import type { RatioQuery, SliSource } from './index';

/** The placeholder for the evaluation window in SLI queries. */
export const WINDOW_PLACEHOLDER = '{{window}}';

/**
 * A query for one window: `{{window}}` is replaced; a query without the
 * placeholder has its range selectors ([5m]) set to the window.
 */
export function queryForWindow(query: string, window: string): string {
  if (query.includes(WINDOW_PLACEHOLDER)) {
    return query.split(WINDOW_PLACEHOLDER).join(window);
  }
  return query.replace(
    /\[(\d+[smhdwy])(:[^\]]*)?\]/g,
    (_, _d, sub) => `[${window}${sub ?? ''}]`,
  );
}

export interface PrometheusServer {
  name: string;
  url: string;
  timeoutMs: number;
}

const finite = (v: unknown): number | null => {
  const n = v === undefined || v === null ? NaN : Number(v);
  return Number.isFinite(n) ? n : null;
};

/**
 * Ratio SLIs from Prometheus' HTTP API: (good) / (total) per window, as an
 * instant query at the evaluation time, or as a range query for history.
 */
export class PrometheusSource implements SliSource {
  readonly type = 'Prometheus';

  constructor(private readonly server: PrometheusServer) {}

  /**
   * What the status route shows anyone signed in: the URL without its
   * credentials or query (http://user:password@prometheus keeps the
   * password out).
   */
  describe() {
    let url = this.server.url;
    try {
      const parsed = new URL(url);
      parsed.username = '';
      parsed.password = '';
      parsed.search = '';
      parsed.hash = '';
      url = parsed.toString();
    } catch {
      url = '(not a URL)';
    }
    return { name: this.server.name, url };
  }

  async ratios(query: RatioQuery, windows: string[], at: Date) {
    const out: Record<string, number | null> = {};
    for (const window of windows) {
      out[window] = await this.instant(this.ratioExpr(query, window), at);
    }
    return out;
  }

  async rangeRatios(
    query: RatioQuery,
    windows: string[],
    range: { start: Date; end: Date; stepSeconds: number },
  ) {
    const out: Record<string, Array<[number, number | null]>> = {};
    for (const window of windows) {
      const json = await this.call('query_range', {
        query: this.ratioExpr(query, window),
        start: String(range.start.getTime() / 1000),
        end: String(range.end.getTime() / 1000),
        step: String(range.stepSeconds),
      });
      const values: Array<[number, string]> =
        json.data?.result?.[0]?.values ?? [];
      out[window] = values.map(([t, v]) => [t, finite(v)]);
    }
    return out;
  }

  /** The single value of an instant query; null when empty or not a number. */
  async instant(expr: string, at: Date): Promise<number | null> {
    const json = await this.call('query', {
      query: expr,
      time: String(at.getTime() / 1000),
    });
    const result = json.data?.result;
    if (json.data?.resultType === 'scalar') return finite(result?.[1]);
    return Array.isArray(result) && result.length
      ? finite(result[0].value?.[1])
      : null;
  }

  private ratioExpr(query: RatioQuery, window: string) {
    const good = queryForWindow(query.good, window);
    const total = queryForWindow(query.total, window);
    return `(${good}) / (${total})`;
  }

  /** One call of the HTTP API; every failure says which server and why. */
  private async call(
    endpoint: string,
    params: Record<string, string>,
  ): Promise<any> {
    const { name, url, timeoutMs } = this.server;
    let res: Response;
    try {
      res = await fetch(`${url.replace(/\/$/, '')}/api/v1/${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error: any) {
      const why =
        error?.name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : error?.cause?.code ?? error?.message ?? String(error);
      throw new Error(`Prometheus ${name} (${url}) is unreachable: ${why}`);
    }
    let json: any;
    try {
      json = await res.json();
    } catch {
      throw new Error(`Prometheus ${name} answered ${res.status} without JSON`);
    }
    if (!res.ok || json.status !== 'success') {
      throw new Error(
        `Prometheus ${name} refused the query (${res.status}): ${
          json.error ?? 'no reason given'
        }`,
      );
    }
    return json;
  }
}
