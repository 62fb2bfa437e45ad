/*
 * Hostile input over real HTTP: the portal's own plugins started on a real
 * socket receive, on every route that takes input, malformed, truncated,
 * oversized, gzip-bombed and wrongly typed requests, with and without
 * credentials, plus slow-loris connections that never finish. Expected: a
 * clear 4xx (413 for size), never a 5xx, nothing written, the process
 * alive, and every refusal that reached a plugin in the audit log. The
 * route x attack table is printed with the results.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import biPlugin from '@portal/plugin-bi-backend';
import finopsPlugin from '@portal/plugin-finops-backend';
import secopsPlugin from '@portal/plugin-secops-backend';
import srePlugin from '@portal/plugin-sre-backend';
import http from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';

const USER = mockCredentials.user.header('user:default/grace-liu');
const ALERTMANAGER = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('alertmanager'),
  targetPluginId: 'sre',
});

type Body = { data: Buffer; encoding?: string; type: string };
type Route = {
  name: string;
  method: string;
  path: string;
  /** A bearer header that reaches the route's own checks. */
  auth: string;
  kind: 'raw' | 'json' | 'query';
  /** The size limit the route enforces, for the oversized attack. */
  limit: number;
  /** The audit event a refusal of this route is recorded as, if any. */
  auditEvent?: string;
};

const KIB = 1024;
const routes: Route[] = [
  {
    name: 'POST secops/reports',
    method: 'POST',
    path: '/api/secops/reports?entityRef=component:default/payments-api&tool=trivy',
    auth: USER,
    kind: 'raw',
    limit: 64 * KIB,
    auditEvent: 'report-upload',
  },
  {
    name: 'POST secops/gate',
    method: 'POST',
    path: '/api/secops/gate',
    auth: USER,
    kind: 'json',
    limit: 64 * KIB,
    auditEvent: 'gate-decision',
  },
  {
    name: 'POST secops/findings/:id/exemptions',
    method: 'POST',
    path: '/api/secops/findings/1/exemptions',
    auth: USER,
    kind: 'json',
    limit: 64 * KIB,
    auditEvent: 'exemption-request',
  },
  {
    name: 'POST secops/exemptions/:id/decision',
    method: 'POST',
    path: '/api/secops/exemptions/1/decision',
    auth: USER,
    kind: 'json',
    limit: 64 * KIB,
    auditEvent: 'exemption-decision',
  },
  {
    name: 'POST finops/imports/focus',
    method: 'POST',
    path: '/api/finops/imports/focus?source=aws-main',
    auth: USER,
    kind: 'raw',
    limit: 64 * KIB,
    auditEvent: 'focus-import',
  },
  {
    name: 'PUT finops/budgets/:ns/:name',
    method: 'PUT',
    path: '/api/finops/budgets/default/team-checkout',
    auth: USER,
    kind: 'json',
    limit: 64 * KIB,
    auditEvent: 'budget-set',
  },
  {
    name: 'POST sre/alertmanager',
    method: 'POST',
    path: '/api/sre/alertmanager',
    auth: ALERTMANAGER,
    kind: 'json',
    limit: 1024 * KIB,
    auditEvent: 'alertmanager-webhook',
  },
  {
    name: 'GET secops/.../findings',
    method: 'GET',
    path: '/api/secops/entities/component/default/payments-api/findings',
    auth: USER,
    kind: 'query',
    limit: 0,
  },
  {
    name: 'GET bi/dashboards',
    method: 'GET',
    path: '/api/bi/dashboards',
    auth: USER,
    kind: 'query',
    limit: 0,
  },
];

/** The attacks on a route, each a request to send (or none if it does not apply). */
const attacks: Array<{
  name: string;
  request: (
    route: Route,
  ) => { path?: string; body?: Body; auth?: string | null } | undefined;
  expect?: number;
}> = [
  { name: 'no credentials', request: () => ({ auth: null }), expect: 401 },
  {
    name: 'malformed',
    request: r =>
      r.kind === 'query'
        ? { path: `${r.path}?limit=%zz` }
        : {
            body: {
              data: Buffer.from(
                r.kind === 'json' ? '{"a": ' : '\u0000\u0001}{',
              ),
              type: r.kind === 'json' ? 'application/json' : 'text/csv',
            },
          },
  },
  {
    name: 'wrong types',
    request: r => {
      if (r.kind === 'query') {
        return { path: `${r.path}?limit=lots&cursor[$gt]=1` };
      }
      return r.kind === 'json'
        ? {
            body: {
              data: Buffer.from(
                JSON.stringify({
                  entityRef: 42,
                  decision: ['approve'],
                  monthlyAmount: '1e999',
                  justification: { $ne: null },
                  expiresAt: true,
                  alerts: 'all',
                }),
              ),
              type: 'application/json',
            },
          }
        : {
            body: {
              data: Buffer.from('[1, 2, 3]'),
              type: 'application/json',
            },
          };
    },
  },
  {
    name: 'truncated gzip',
    request: r =>
      r.kind === 'query'
        ? undefined
        : {
            body: {
              data: gzipSync(
                Buffer.from('{"alerts": []}'.repeat(200)),
              ).subarray(0, 30),
              encoding: 'gzip',
              type: r.kind === 'json' ? 'application/json' : 'text/csv',
            },
          },
  },
  {
    name: 'oversized',
    request: r =>
      r.kind === 'query'
        ? { path: `${r.path}?search=${'x'.repeat(20 * KIB)}` }
        : {
            body: {
              data: Buffer.from(
                r.kind === 'json'
                  ? JSON.stringify({ pad: 'x'.repeat(r.limit + KIB) })
                  : 'x'.repeat(r.limit + KIB),
              ),
              type: r.kind === 'json' ? 'application/json' : 'text/csv',
            },
          },
  },
  {
    name: 'gzip bomb',
    request: r =>
      r.kind === 'query'
        ? undefined
        : {
            body: {
              data: gzipSync(Buffer.alloc(64 * 1024 * KIB, ' ')),
              encoding: 'gzip',
              type: r.kind === 'json' ? 'application/json' : 'text/csv',
            },
          },
  },
];

function send(
  port: number,
  method: string,
  path: string,
  auth: string | null,
  body?: Body,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(body
            ? {
                'content-type': body.type,
                'content-length': String(body.data.length),
                ...(body.encoding ? { 'content-encoding': body.encoding } : {}),
              }
            : {}),
        },
      },
      res => {
        let text = '';
        res.on('data', chunk => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    // A server that answers before reading the whole body may close the
    // socket while it is still being written: the answer still counts.
    req.on('error', error =>
      (error as { code?: string }).code === 'EPIPE' ||
      (error as { code?: string }).code === 'ECONNRESET'
        ? undefined
        : reject(error),
    );
    req.end(body?.data);
  });
}

type AuditRecord = { eventId: string; status: string };

describe('hostile input over real HTTP', () => {
  let server: http.Server;
  let port: number;
  const audit: AuditRecord[] = [];
  const table: string[][] = [];

  beforeAll(async () => {
    const auditor: Parameters<typeof mockServices.auditor.mock>[0] = {
      createEvent: async ({ eventId, request }) => {
        const record = { eventId, status: 'initiated' };
        audit.push(record);
        // As the real auditor does: the caller's address, read each time.
        const address = () => request?.ip;
        address();
        return {
          success: async () => {
            address();
            record.status = 'succeeded';
          },
          fail: async () => {
            address();
            record.status = 'failed';
          },
        };
      },
    };
    const backend = await startTestBackend({
      features: [
        secopsPlugin,
        finopsPlugin,
        srePlugin,
        biPlugin,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Component',
              metadata: { name: 'payments-api', namespace: 'default' },
              spec: { owner: 'group:default/team-checkout', type: 'service' },
            },
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'Group',
              metadata: { name: 'team-checkout', namespace: 'default' },
              spec: { type: 'team', children: [] },
            },
          ],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.auditor.mock(auditor).factory,
        mockServices.rootConfig.factory({
          data: {
            machineIdentity: {
              grants: [{ subject: 'alertmanager', allow: ['sre.alerts'] }],
            },
            secops: {
              limits: {
                maxCompressedBytes: 64 * KIB,
                maxReportBytes: 256 * KIB,
              },
            },
            finops: { currency: 'USD', limits: { maxUploadBytes: 64 * KIB } },
          },
        }),
      ],
    });
    server = backend.server;
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise(resolve => server?.close(resolve));
  });

  it.each(routes.map(r => [r.name, r]))(
    '%s: every attack gets a clear 4xx, never a 5xx',
    async (_name, route) => {
      const row = [route.name];
      const failures: string[] = [];
      for (const attack of attacks) {
        const input = attack.request(route as Route);
        if (!input) {
          row.push('-');
          continue;
        }
        const r = route as Route;
        const auth =
          input.auth === null
            ? mockCredentials.none.header()
            : input.auth ?? r.auth;
        const before = audit.length;
        const res = await send(
          port,
          r.method,
          input.path ?? r.path,
          auth,
          input.body,
        );
        row.push(String(res.status));
        const context = `${r.name} / ${attack.name}: ${
          res.status
        } ${res.text.slice(0, 200)}`;
        const problems: string[] = [];
        if (res.status < 400 || res.status >= 500) problems.push('not a 4xx');
        // A refusal that reached the plugin (not the 401 of the auth
        // policy in front of it) is in the audit log, with why.
        const audited = audit
          .slice(before)
          .some(
            a =>
              a.status === 'failed' &&
              [r.auditEvent, 'request-refused'].includes(a.eventId),
          );
        if (r.auditEvent && res.status !== 401 && !audited) {
          problems.push('refusal not audited');
        }
        if (attack.expect && res.status !== attack.expect) {
          problems.push(`expected ${attack.expect}`);
        }
        const sized = ['oversized', 'gzip bomb'].includes(attack.name);
        if (sized && r.kind !== 'query' && res.status !== 413) {
          problems.push('expected 413');
        }
        failures.push(...problems.map(p => `${context} -> ${p}`));
      }
      table.push(row);
      expect(failures).toEqual([]);
    },
    120_000,
  );

  it('survives slow-loris connections and keeps answering others', async () => {
    // Ten uploads that send their headers and a few bytes, then stall.
    const sockets = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              socket.write(
                `POST /api/secops/reports?entityRef=component:default/payments-api&tool=trivy HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${USER}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"Results": [`,
              );
              resolve(socket);
            });
            socket.on('error', reject);
          }),
      ),
    );
    const meanwhile = await send(port, 'GET', '/api/secops/formats', USER);
    expect(meanwhile.status).toBe(200);
    for (const socket of sockets) socket.destroy();
    const after = await send(port, 'GET', '/api/bi/dashboards', USER);
    expect(after.status).toBe(200);
  });

  it('wrote nothing and stayed alive', async () => {
    const summary = await send(
      port,
      'GET',
      '/api/secops/entities/component/default/payments-api/summary',
      USER,
    );
    expect(summary.status).toBe(200);
    expect(JSON.parse(summary.text).lastScanAt).toBeUndefined();
    const alerts = await send(
      port,
      'GET',
      '/api/sre/entities/component/default/payments-api/alerts',
      USER,
    );
    expect(JSON.parse(alerts.text).totalCount).toBe(0);
    const budgets = await send(port, 'GET', '/api/finops/budgets', USER);
    expect(budgets.status).toBe(200);
    expect(JSON.parse(budgets.text).items ?? []).toEqual([]);

    expect(audit.filter(a => a.status === 'succeeded')).toEqual([]);
    const header = ['route', ...attacks.map(a => a.name)];
    const widths = header.map((h, i) =>
      Math.max(h.length, ...table.map(row => (row[i] ?? '').length)),
    );
    const line = (cells: string[]) =>
      cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
    process.stdout.write(
      `\nHostile input, route x attack -> status:\n${[
        line(header),
        widths.map(w => '-'.repeat(w)).join('-|-'),
        ...table.map(line),
      ].join('\n')}\n\n`,
    );
  });
});
