import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/** The HTTP service: a health check for Kubernetes and its own routes. */
export function createApp(): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
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
