import { SreClient } from './api';

describe('SreClient', () => {
  const calls: string[] = [];
  const client = new SreClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/sre' },
    fetchApi: {
      fetch: (async (url: string) => {
        calls.push(url);
        if (url.includes('ghost')) {
          return new Response(
            JSON.stringify({
              error: { name: 'NotFoundError', message: 'not there' },
              response: { statusCode: 404 },
            }),
            { status: 404, headers: { 'content-type': 'application/json' } },
          );
        }
        return new Response(JSON.stringify({ items: [], totalCount: 0 }), {
          headers: { 'content-type': 'application/json' },
        });
      }) as typeof fetch,
    },
  });

  it("calls the spec's routes through the generated client", async () => {
    await client.entitySlos('component:default/payments-api');
    await client.groupSlos('group:default/team-checkout', 'NTA');
    await client.history('a'.repeat(64), 7);
    await client.entityAlerts('component:default/payments-api', 'MjA');
    await client.mySummary();
    expect(calls).toEqual([
      'http://backend/api/sre/entities/component/default/payments-api/slos',
      'http://backend/api/sre/groups/default/team-checkout/slos?cursor=NTA&limit=50',
      `http://backend/api/sre/slos/${'a'.repeat(64)}/history?days=7`,
      'http://backend/api/sre/entities/component/default/payments-api/alerts?cursor=MjA',
      'http://backend/api/sre/me/summary',
    ]);
  });

  it("throws the backend's error", async () => {
    await expect(
      client.observability('component:default/ghost'),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 404 });
  });
});
