import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpMetrics } from './metrics';

const ROUTES = new Set(['/', '/healthz']);

/**
 * The HTTP service: a health check for Kubernetes, its own routes, and its
 * Prometheus metrics on /metrics (what its SLOs are computed from).
 */
export function createApp(): Server {
  const metrics = new HttpMetrics('${{ values.name }}', ROUTES);
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
      return;
    }
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observe(req.method ?? 'GET', url.pathname, res.statusCode, seconds);
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
  const server = createApp().listen(port, () => {
    console.log(`${{ values.name }} listening on :${port}`);
  });
  process.on('SIGTERM', () => server.close());
}
