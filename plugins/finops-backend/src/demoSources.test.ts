import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CostSource,
  finopsCostSourcesExtensionPoint,
} from '@portal/plugin-finops-node';
import request from 'supertest';
import { finopsPlugin } from './plugin';
import { BEN, entities, policyPermissions } from './__testUtils__/backend';

/** The plugin with one module's cost source. */
async function startWith(source: CostSource) {
  const module = createBackendModule({
    pluginId: 'finops',
    moduleId: 'test-source',
    register(reg) {
      reg.registerInit({
        deps: { sources: finopsCostSourcesExtensionPoint },
        async init({ sources }) {
          sources.addCostSource(source);
        },
      });
    },
  });
  return startTestBackend({
    features: [
      finopsPlugin,
      module,
      catalogServiceMock.factory({ entities }),
      policyPermissions,
      mockServices.rootConfig.factory({
        data: { finops: { currency: 'USD' } },
      }),
    ],
  });
}

describe('cost sources whose figures are demo data', () => {
  it.each([
    [true, { demo: true }],
    [false, { demo: false }],
    [false, {}],
  ])(
    'the views say demo: %s for a source with %j',
    async (expected, flag) => {
      const backend = await startWith({
        id: 'generated',
        description: 'A test source',
        ...flag,
        refresh: async () => {},
      });
      try {
        const res = await request(backend.server)
          .get('/api/finops/status')
          .set('authorization', BEN);
        expect(res.status).toBe(200);
        expect(res.body.demo).toBe(expected);
        expect(res.body.sources.map((s: any) => s.source)).toContain(
          'generated',
        );
      } finally {
        await backend.stop();
      }
    },
    120_000,
  );
});
