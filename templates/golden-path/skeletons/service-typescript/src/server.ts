import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpMetrics } from './metrics';
import { Tracer } from './tracing';

const ROUTES = new Set(['/', '/healthz']);

/**
 * The HTTP service: a health check for Kubernetes, its own routes, its
 * Prometheus metrics on /metrics (what its SLOs are computed from), and a
 * trace span per request when an OTLP endpoint is configured.
 */
export function createApp(
  tracer: Tracer = Tracer.fromEnv('${{ values.name }}'),
): Server {
  const metrics = new HttpMetrics('${{ values.name }}', ROUTES);
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
      return;
    }
    const startNanos = BigInt(Date.now()) * 1_000_000n;
    res.on('finish', () => {
      const elapsed = process.hrtime.bigint() - started;
      const method = req.method ?? 'GET';
      metrics.observe(method, url.pathname, res.statusCode, Number(elapsed) / 1e9);
      tracer.record({
        method,
        route: ROUTES.has(url.pathname) ? url.pathname : 'other',
        statusCode: res.statusCode,
        startNanos,
        endNanos: startNanos + elapsed,
        traceparent: req.headers.traceparent as string | undefined,
      });
    });
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: '${{ values.name }}' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no route for ${req.method} ${url.pathname}` }));
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? ${{ values.port }});
  const tracer = Tracer.fromEnv('${{ values.name }}');
  const server = createApp(tracer).listen(port, () => {
    console.log(`${{ values.name }} listening on :${port}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void tracer.shutdown();
  });
}
