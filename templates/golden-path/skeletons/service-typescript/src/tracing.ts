/*
 * The service's traces, sent to an OpenTelemetry collector over OTLP/HTTP
 * (JSON encoding) when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, and not at all otherwise. One
 * server span per request, joined to the caller's trace when the request
 * carries a W3C traceparent header. Spans are sent in batches every few
 * seconds; a collector that does not answer loses them, never the service.
 */
import { randomBytes } from 'node:crypto';

export interface SpanInput {
  method: string;
  route: string;
  statusCode: number;
  /** Nanoseconds since the epoch. */
  startNanos: bigint;
  endNanos: bigint;
  /** The incoming traceparent header, if any. */
  traceparent?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export class Tracer {
  private batch: object[] = [];
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly service: string,
    private readonly endpoint?: string,
    private readonly flushMs = 5000,
  ) {
    if (endpoint) {
      this.timer = setInterval(() => void this.flush(), flushMs);
      this.timer.unref();
    }
  }

  /** From the environment, as OpenTelemetry's SDKs read it. */
  static fromEnv(service: string, env = process.env): Tracer {
    const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const endpoint =
      traces || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
    return new Tracer(env.OTEL_SERVICE_NAME || service, endpoint);
  }

  get enabled(): boolean {
    return !!this.endpoint;
  }

  /** Records one answered request as a server span. */
  record(span: SpanInput): void {
    if (!this.endpoint) return;
    const parent = TRACEPARENT.exec(span.traceparent ?? '');
    this.batch.push({
      traceId: parent?.[1] ?? randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      ...(parent ? { parentSpanId: parent[2] } : {}),
      name: `${span.method} ${span.route}`,
      kind: 2, // SPAN_KIND_SERVER
      startTimeUnixNano: span.startNanos.toString(),
      endTimeUnixNano: span.endNanos.toString(),
      attributes: [
        { key: 'http.request.method', value: { stringValue: span.method } },
        { key: 'http.route', value: { stringValue: span.route } },
        {
          key: 'http.response.status_code',
          value: { intValue: String(span.statusCode) },
        },
      ],
      // STATUS_CODE_ERROR for server errors, unset otherwise.
      status: span.statusCode >= 500 ? { code: 2 } : {},
    });
    if (this.batch.length >= 512) void this.flush();
  }

  /** Sends what is waiting; a failure drops the batch. */
  async flush(): Promise<void> {
    if (!this.endpoint || !this.batch.length) return;
    const spans = this.batch;
    this.batch = [];
    const body = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: 'service.name', value: { stringValue: this.service } },
            ],
          },
          scopeSpans: [{ scope: { name: 'golden-path-http' }, spans }],
        },
      ],
    };
    try {
      await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.flushMs),
      });
    } catch {
      // The collector is away: these spans are lost, the service goes on.
    }
  }

  /** Stops the timer and sends what is left. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
