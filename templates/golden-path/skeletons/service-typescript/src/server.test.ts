import { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from './server';

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
