import { FinopsClient } from './FinopsClient';

describe('FinopsClient', () => {
  const calls: Array<{ url: string; method: string; body?: string }> = [];
  const client = new FinopsClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/finops' },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({
          url,
          method: init?.method ?? 'GET',
          body: init?.body as string | undefined,
        });
        if (url.includes('ghost')) {
          return new Response(
            JSON.stringify({
              error: { name: 'NotFoundError', message: 'not there' },
              response: { statusCode: 404 },
            }),
            { status: 404, headers: { 'content-type': 'application/json' } },
          );
        }
        if (url.includes('export.csv')) {
          return new Response('view,ref\n', {
            headers: { 'content-type': 'text/csv' },
          });
        }
        return new Response(JSON.stringify({ items: [], totalCount: 0 }), {
          headers: { 'content-type': 'application/json' },
        });
      }) as typeof fetch,
    },
  });

  beforeEach(() => {
    calls.length = 0;
  });

  it("calls the spec's routes through the generated client", async () => {
    await client.getEntityCost('component:default/payments-api', 30);
    await client.getGroupCost('group:default/team-checkout', 90);
    await client.listGroupEntities('group:default/team-checkout', 30, {
      limit: 20,
      cursor: '40',
    });
    await client.listUnattributed(7, { limit: 10 });
    await client.getOrganisationCost(12);
    await client.getAllocations(30);
    await client.getRecommendations();
    await client.getStatus();
    await client.getMySummary();
    expect(await (await client.exportCsv(6)).text()).toBe('view,ref\n');
    await client.setBudget('group:default/team-checkout', 1000);
    const base = 'http://backend/api/finops';
    expect(calls).toEqual([
      {
        url: `${base}/entities/component/default/payments-api/cost?days=30`,
        method: 'GET',
      },
      {
        url: `${base}/groups/default/team-checkout/cost?days=90`,
        method: 'GET',
      },
      {
        url: `${base}/groups/default/team-checkout/entities?days=30&limit=20&cursor=40`,
        method: 'GET',
      },
      {
        url: `${base}/organisation/unattributed?days=7&limit=10`,
        method: 'GET',
      },
      { url: `${base}/organisation/cost?months=12`, method: 'GET' },
      { url: `${base}/organisation/allocations?days=30`, method: 'GET' },
      { url: `${base}/organisation/recommendations`, method: 'GET' },
      { url: `${base}/status`, method: 'GET' },
      { url: `${base}/me/summary`, method: 'GET' },
      { url: `${base}/organisation/export.csv?months=6`, method: 'GET' },
      {
        url: `${base}/budgets/default/team-checkout`,
        method: 'PUT',
        body: JSON.stringify({ monthlyAmount: 1000 }),
      },
    ]);
  });

  it("throws the backend's error", async () => {
    await expect(
      client.getEntityCost('component:default/ghost', 30),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 404 });
    await expect(
      client.setBudget('group:default/ghosts', 1),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 404 });
  });
});
