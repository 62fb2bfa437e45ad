/*
 * The FinOps actions (src/service/actions.ts) on the plugin as it runs,
 * with the portal's real policy over the test organisation: the same
 * answers and refusals as the routes, for people and machines, and the
 * golden path's price list.
 */
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  actionsRegistryServiceMock,
  MockActionsRegistry,
} from '@backstage/backend-test-utils/alpha';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import {
  billingExport,
  entities,
  importExport,
  policyPermissions,
} from './__testUtils__/backend';
import { finopsPlugin } from './plugin';
import path from 'node:path';

const BEN = mockCredentials.user('user:default/ben-okafor');
const MAYA = mockCredentials.user('user:default/maya-patel');
const PRIYA = mockCredentials.user('user:default/priya-sharma');

/** The plugin with its actions in a registry the test can call. */
async function startWithActions(config: object = {}) {
  const registry: MockActionsRegistry = actionsRegistryServiceMock();
  const { server } = await startTestBackend({
    features: [
      finopsPlugin,
      catalogServiceMock.factory({ entities }),
      policyPermissions,
      mockServices.rootConfig.factory({
        data: {
          finops: { currency: 'USD' },
          // The repository's price list, wherever the tests run from.
          goldenPath: {
            iac: {
              sizesFile: path.resolve(
                __dirname,
                '../../../templates/iac/sizes.yaml',
              ),
            },
          },
          ...config,
        },
      }),
      createServiceFactory({
        service: actionsRegistryServiceRef,
        deps: {},
        factory: () => registry,
      }),
    ],
  });
  const call = (
    name: string,
    input: object,
    credentials: BackstageCredentials,
  ) =>
    registry.invoke({ id: `test:${name}`, input: input as any, credentials });
  return { server, registry, call };
}

describe('the FinOps actions', () => {
  it('are registered read-only', async () => {
    const { registry } = await startWithActions();
    const { actions } = await registry.list();
    expect(actions.map(a => a.name).sort()).toEqual([
      'estimate-resource-cost',
      'get-cost',
      'get-product-cost',
      'get-top-movers',
    ]);
    for (const action of actions) {
      expect(action.attributes).toEqual({
        readOnly: true,
        destructive: false,
        idempotent: true,
      });
    }
  }, 120_000);

  it('answer what the routes answer, to whom the routes answer it', async () => {
    const { server, call } = await startWithActions();
    expect(
      (await importExport(server, billingExport({ spike: true }))).status,
    ).toBe(201);

    const { output } = await call(
      'get-cost',
      { entityRef: 'component:default/payments-api', days: 30 },
      BEN,
    );
    const route = await request(server)
      .get('/api/finops/entities/component/default/payments-api/cost')
      .query({ days: 30 })
      .set(
        'authorization',
        mockCredentials.user.header(BEN.principal.userEntityRef),
      );
    expect(route.status).toBe(200);
    // 10 a day, 100 on the last day.
    expect(output).toMatchObject({
      ref: 'component:default/payments-api',
      from: '2026-10-02',
      to: '2026-10-31',
      total: route.body.total,
      previousTotal: route.body.previousTotal,
      change: 90,
      changePercent: 30,
      byService: [{ key: 'EC2', amount: 390, previous: 300, change: 90 }],
    });
    expect(route.body.total).toBe(390);

    await expect(
      call('get-cost', { entityRef: 'component:default/catalog-service' }, BEN),
    ).rejects.toThrow(
      'You may see the cost of what your teams own; component:default/catalog-service is owned by group:default/team-catalog',
    );
    await expect(
      call('get-top-movers', { organisation: true }, BEN),
    ).rejects.toThrow(
      'Only the finance group may see the top movers of the whole organisation',
    );
    // A machine without finops.read reads nothing.
    await expect(
      call(
        'get-cost',
        { entityRef: 'component:default/payments-api' },
        mockCredentials.service('external:some-ci'),
      ),
    ).rejects.toThrow(/external:some-ci is neither a CI identity/);

    // A department head's movers cover their teams.
    const movers = await call(
      'get-top-movers',
      { groupRef: 'group:default/engineering', direction: 'both' },
      MAYA,
    );
    expect(movers.output).toMatchObject({
      totalCount: 4,
      items: [
        {
          entityRef: 'component:default/payments-api',
          ownerRef: 'group:default/team-checkout',
          change: 90,
        },
        expect.objectContaining({ change: 0 }),
        expect.objectContaining({ change: 0 }),
        expect.objectContaining({ change: 0 }),
      ],
    });
    const fallen = await call(
      'get-top-movers',
      { organisation: true, direction: 'down' },
      PRIYA,
    );
    expect(fallen.output).toMatchObject({ items: [], totalCount: 0 });

    // The shop system and its parts, each part with its own cost.
    const shop = await call(
      'get-product-cost',
      { productRef: 'system:default/shop' },
      BEN,
    );
    expect(shop.output).toMatchObject({
      kind: 'system',
      total: 390 + 60 + 900,
      hiddenParts: 0,
      parts: [
        { entityRef: 'resource:default/orders-db', amount: 900 },
        { entityRef: 'component:default/payments-api', amount: 390 },
        { entityRef: 'component:default/checkout-service', amount: 60 },
      ],
    });
  }, 120_000);

  it('estimate from the price list, and say when it cannot be read', async () => {
    const { call } = await startWithActions();
    const { output } = await call(
      'estimate-resource-cost',
      { type: 'queue', size: 'large' },
      mockCredentials.user('user:default/stranger'),
    );
    expect(output).toMatchObject({
      currency: 'USD',
      type: 'queue',
      sizes: [{ size: 'large', monthlyCost: 40 }],
    });
    await expect(
      call('estimate-resource-cost', { type: 'queue', size: 'xl' }, BEN),
    ).rejects.toThrow('choose one of small, medium, large');
    await expect(
      call('estimate-resource-cost', { type: 'postgres' }, BEN),
    ).rejects.toThrow(/Invalid input/);

    const broken = await startWithActions({
      goldenPath: { iac: { sizesFile: 'no/such/sizes.yaml' } },
    });
    await expect(
      broken.call('estimate-resource-cost', { type: 'queue' }, BEN),
    ).rejects.toThrow("The golden path's price list cannot be read");
  }, 120_000);
});
