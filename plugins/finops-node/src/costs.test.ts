import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { DefaultFinopsCostsService } from './costs';

describe('DefaultFinopsCostsService', () => {
  const requests: Array<{ url: string; authorization?: string }> = [];
  function service(status: number, body: unknown) {
    return new DefaultFinopsCostsService({
      auth: mockServices.auth({ pluginId: 'bi' }),
      discovery: {
        getBaseUrl: async id => `http://backend/api/${id}`,
        getExternalBaseUrl: async id => `http://backend/api/${id}`,
      },
      fetchApi: {
        fetch: (async (url: string, init?: RequestInit) => {
          requests.push({
            url,
            authorization: (init?.headers as Record<string, string>)
              ?.Authorization,
          });
          return new Response(JSON.stringify(body), {
            status,
            headers: { 'content-type': 'application/json' },
          });
        }) as typeof fetch,
      },
    });
  }
  const entity = { kind: 'system', namespace: 'default', name: 'payments' };
  const credentials = mockCredentials.service('plugin:bi');

  beforeEach(() => {
    requests.length = 0;
  });

  it("reads an entity's cost from FinOps with a token on behalf of the caller", async () => {
    const cost = { currency: 'EUR', monthly: [], demo: false };
    expect(
      await service(200, cost).getEntityCost({ entity }, { credentials }),
    ).toEqual(cost);
    expect(requests).toEqual([
      {
        url: 'http://backend/api/finops/entities/system/default/payments/cost?days=30',
        authorization: `Bearer ${mockCredentials.service.token({
          onBehalfOf: credentials,
          targetPluginId: 'finops',
        })}`,
      },
    ]);
  });

  it("throws FinOps' status and message when it does not answer 200", async () => {
    await expect(
      service(404, {
        error: { name: 'NotFoundError', message: 'There is no x' },
        response: { statusCode: 404 },
      }).getEntityCost({ entity, days: 7 }, { credentials }),
    ).rejects.toThrow('FinOps answered 404: There is no x');
    expect(requests[0].url).toMatch(/\/cost\?days=7$/);
  });

  it('asks for attributed spend 500 entities at a time and adds the answers up', async () => {
    const refs = Array.from(
      { length: 501 },
      (_, i) => `component:default/svc-${i}`,
    );
    const part = {
      tagKey: 'portal-entity-ref',
      currency: 'USD',
      from: '2026-11-01',
      to: '2026-11-30',
      items: [{ entityRef: 'component:default/svc-0', amount: 3 }],
      hidden: 1,
    };
    const answer = await service(200, part).getAttributedCost(
      { entityRefs: [...refs, refs[0]] },
      { credentials },
    );
    expect(answer).toEqual({
      ...part,
      items: [...part.items, ...part.items],
      hidden: 2,
    });
    expect(requests.map(r => r.url)).toEqual([
      'http://backend/api/finops/entities/attributed-cost?days=30',
      'http://backend/api/finops/entities/attributed-cost?days=30',
    ]);
    await expect(
      service(200, part).getAttributedCost({ entityRefs: [] }, { credentials }),
    ).rejects.toThrow('Ask for the cost of at least one entity');
  });
});
