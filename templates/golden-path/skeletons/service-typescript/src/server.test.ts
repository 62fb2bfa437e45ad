import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from './server';
import { Tracer } from './tracing';

const server = createApp();
let base = '';

before(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
});

test('answers its health check', async () => {
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('says which service it is', async () => {
  const res = await fetch(`${base}/`);
  assert.deepEqual(await res.json(), { service: '${{ values.name }}' });
});

test('refuses unknown routes with a 404 that names them', async () => {
  const res = await fetch(`${base}/nope`);
  assert.equal(res.status, 404);
  assert.match((await res.json()).error, /GET \/nope/);
});

test('counts its requests and their durations as its SLOs query them', async () => {
  await fetch(`${base}/`);
  await fetch(`${base}/no-such-page`);
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const service = 'service="${{ values.name }}"';
  assert.match(text, new RegExp(`http_requests_total\\{${service},method="GET",route="/",code="200"\\} [1-9]`));
  assert.match(text, new RegExp(`http_requests_total\\{${service},method="GET",route="other",code="404"\\} [1-9]`));
  assert.match(text, new RegExp(`http_request_duration_seconds_bucket\\{${service},method="GET",route="/",le="0.3"\\} [1-9]`));
  assert.match(text, new RegExp(`http_request_duration_seconds_count\\{${service},method="GET",route="/"\\} [1-9]`));
});

test('sends a span per request to an OTLP collector when one is configured', async () => {
  const received: any[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url, body: JSON.parse(body) });
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>(resolve => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const tracer = Tracer.fromEnv('${{ values.name }}', { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
  const traced = createApp(tracer);
  await new Promise<void>(resolve => traced.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(traced.address() as AddressInfo).port}`;
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  await fetch(`${url}/`, { headers: { traceparent: parent } });
  await tracer.shutdown();
  traced.close();
  collector.close();

  assert.equal(received.length, 1);
  assert.equal(received[0].path, '/v1/traces');
  const [resourceSpans] = received[0].body.resourceSpans;
  assert.deepEqual(resourceSpans.resource.attributes, [
    { key: 'service.name', value: { stringValue: '${{ values.name }}' } },
  ]);
  const [span] = resourceSpans.scopeSpans[0].spans;
  assert.equal(span.name, 'GET /');
  assert.equal(span.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(span.parentSpanId, 'b7ad6b7169203331');
  assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
});

test('sends no span when no collector is configured', () => {
  assert.equal(Tracer.fromEnv('x', {}).enabled, false);
});
