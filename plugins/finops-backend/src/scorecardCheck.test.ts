/*
 * FinOps' scorecard check over HTTP: FinOps imports a billing export in
 * which only some services' resources carry the cost-allocation tag, and
 * the check reads the attributed spend as the SecOps plugin would, through
 * finops-node's client (a plugin token on behalf of the portal itself,
 * many entities per call).
 */
import { DiscoveryService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { DefaultFinopsCostsService } from '@portal/plugin-finops-node';
import { AddressInfo } from 'node:net';
import { entities, HEADER, importExport, start } from './__testUtils__/backend';
import { costAttributionCheck } from './scorecardCheck';

const component = (name: string, type = 'service') =>
  entities.find(e => e.metadata.name === name) ??
  ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type, owner: 'group:default/team-checkout' },
  } as Entity);

describe('the cost attribution scorecard check', () => {
  it("reads FinOps' attributed spend over its API for many entities at once", async () => {
    const server = await start();
    // Only payments-api's resources are tagged; the rest is unattributed.
    const tag = `"${JSON.stringify({
      'portal-entity-ref': 'component:default/payments-api',
    }).replace(/"/g, '""')}"`;
    const lines = [
      HEADER,
      `2026-11-20T00:00:00Z,Usage,EC2,1111,12.5,USD,${tag}`,
      `2026-11-21T00:00:00Z,Usage,EC2,1111,7.25,USD,${tag}`,
      '2026-11-21T00:00:00Z,Usage,S3,1111,40,USD,',
    ];
    expect((await importExport(server, `${lines.join('\n')}\n`)).status).toBe(
      201,
    );

    const { port } = server.address() as AddressInfo;
    const discovery: DiscoveryService = {
      getBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
      getExternalBaseUrl: async id => `http://127.0.0.1:${port}/api/${id}`,
    };
    const auth = mockServices.auth();
    const check = costAttributionCheck({
      costs: new DefaultFinopsCostsService({ auth, discovery }),
      auth,
    });
    const batch = ['payments-api', 'checkout-service', 'ghost'].map(name => ({
      ref: `component:default/${name}`,
      entity: component(name),
    }));
    const outcomes = await check.evaluate(batch, { now: new Date() });
    expect(Object.fromEntries(outcomes)).toEqual({
      'component:default/payments-api': {
        passed: true,
        detail:
          'USD 19.75 attributed by the portal-entity-ref tag, 2026-10-23 to 2026-11-21',
      },
      'component:default/checkout-service': {
        passed: false,
        detail:
          'no spend attributed 2026-10-23 to 2026-11-21: tag its cloud resources portal-entity-ref=component:default/checkout-service',
      },
    });
    // Only what runs is measured: a library has no cloud spend of its own.
    expect(check.appliesTo?.(component('money-lib', 'library'))).toBe(false);
    expect(check.appliesTo?.(component('web-shop'))).toBe(true);

    // A machine granted nothing is refused, and the check says so.
    const refused = costAttributionCheck({
      costs: new DefaultFinopsCostsService({ auth, discovery }),
      auth: {
        ...auth,
        getOwnServiceCredentials: async () =>
          mockCredentials.service('external:ungranted'),
      },
    });
    await expect(refused.evaluate(batch, { now: new Date() })).rejects.toThrow(
      'FinOps answered 403',
    );
  }, 120_000);
});
