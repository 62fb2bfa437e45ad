import { SecopsClient } from './SecopsClient';

describe('SecopsClient', () => {
  const calls: Array<{ url: string; method: string; body?: string }> = [];
  const client = new SecopsClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/secops' },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({
          url,
          method: init?.method ?? 'GET',
          ...(init?.body ? { body: String(init.body) } : {}),
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
    const entity = 'component:default/payments-api';
    await client.getSummary(entity);
    await client.listFindings(entity, {
      status: 'open',
      severity: ['critical', 'high'],
      category: [],
      search: 'log4j',
      knownExploited: true,
      sort: 'epss',
      limit: 25,
      cursor: 'NTA',
    });
    await client.listFindings(entity, {});
    await client.getGate(entity);
    await client.getTrend(entity, 30);
    await client.getTrend('group:default/team-checkout', 90);
    await client.getGroupPosture('group:default/team-checkout', {
      limit: 50,
      offset: 100,
    });
    await client.listExemptions(entity);
    await client.listTeams();
    await client.getMySummary();
    await client.topRisks(20);
    await client.findExposure('CVE-2021-44228');
    await client.requestExemption('42', {
      justification: 'Not reachable from the internet.',
      expiresAt: '2099-01-01T00:00:00Z',
    });
    await client.decideExemption('a/b', { decision: 'approve' });
    const base = 'http://backend/api/secops';
    expect(calls).toEqual([
      {
        url: `${base}/entities/component/default/payments-api/summary`,
        method: 'GET',
      },
      {
        url: `${base}/entities/component/default/payments-api/findings?status=open&severity=critical%2Chigh&search=log4j&knownExploited=true&sort=epss&limit=25&cursor=NTA`,
        method: 'GET',
      },
      {
        url: `${base}/entities/component/default/payments-api/findings`,
        method: 'GET',
      },
      {
        url: `${base}/entities/component/default/payments-api/gate`,
        method: 'GET',
      },
      {
        url: `${base}/entities/component/default/payments-api/trend?days=30`,
        method: 'GET',
      },
      {
        url: `${base}/groups/default/team-checkout/trend?days=90`,
        method: 'GET',
      },
      {
        url: `${base}/groups/default/team-checkout/posture?limit=50&offset=100`,
        method: 'GET',
      },
      {
        url: `${base}/entities/component/default/payments-api/exemptions?limit=50`,
        method: 'GET',
      },
      { url: `${base}/organisation/teams`, method: 'GET' },
      { url: `${base}/me/summary`, method: 'GET' },
      { url: `${base}/organisation/top-risks?limit=20`, method: 'GET' },
      { url: `${base}/organisation/exposure?id=CVE-2021-44228`, method: 'GET' },
      {
        url: `${base}/findings/42/exemptions`,
        method: 'POST',
        body: JSON.stringify({
          justification: 'Not reachable from the internet.',
          expiresAt: '2099-01-01T00:00:00Z',
        }),
      },
      {
        url: `${base}/exemptions/a%2Fb/decision`,
        method: 'POST',
        body: JSON.stringify({ decision: 'approve' }),
      },
    ]);
  });

  it("throws the backend's error", async () => {
    await expect(
      client.getSummary('component:default/ghost'),
    ).rejects.toMatchObject({ name: 'ResponseError', statusCode: 404 });
    await expect(
      client.getGate('component:default/ghost'),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      body: { error: { message: 'not there' } },
    });
  });
});
