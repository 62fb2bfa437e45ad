import { mockServices } from '@backstage/backend-test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { DefaultFinopsCostsService } from '@portal/plugin-finops-node';
import { finopsCostReader } from './finopsCost';

/** A FinOps stand-in answering every request with one status and body. */
async function finopsAnswering(status: number, body: unknown) {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const auth = mockServices.auth();
  const reader = finopsCostReader({
    auth,
    finopsCosts: new DefaultFinopsCostsService({
      auth,
      discovery: {
        getBaseUrl: async () => `http://127.0.0.1:${port}/api/finops`,
        getExternalBaseUrl: async () => `http://127.0.0.1:${port}/api/finops`,
      },
    }),
  });
  return { reader, close: () => server.close() };
}

describe('finopsCostReader', () => {
  it("reads a product's monthly cost", async () => {
    const finops = await finopsAnswering(200, {
      currency: 'EUR',
      monthly: [{ period: '2026-11', amount: 1200 }],
      total: 40,
    });
    try {
      expect(await finops.reader('system:default/payments')).toEqual({
        currency: 'EUR',
        monthly: [{ period: '2026-11', amount: 1200 }],
        demo: false,
      });
    } finally {
      finops.close();
    }
  });

  it('answers 503 when FinOps fails or answers in another shape', async () => {
    for (const [status, body, message] of [
      [500, { error: { message: 'boom' } }, /could not give the cost/],
      [404, { error: { message: 'no such route' } }, /could not give the cost/],
      [200, { currency: 'EUR', monthly: 'lots' }, /monthly Expected array/],
    ] as const) {
      const finops = await finopsAnswering(status, body);
      try {
        await expect(
          finops.reader('system:default/payments'),
        ).rejects.toMatchObject({
          name: 'ServiceUnavailableError',
          message: expect.stringMatching(message),
        });
      } finally {
        finops.close();
      }
    }
  });
});
