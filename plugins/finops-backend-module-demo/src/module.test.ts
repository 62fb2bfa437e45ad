import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CostSource,
  finopsCostSourcesExtensionPoint,
} from '@portal/plugin-finops-node';
import { finopsModuleDemo } from './module';

async function sourcesFor(finops: object): Promise<CostSource[]> {
  const sources: CostSource[] = [];
  const backend = await startTestBackend({
    extensionPoints: [
      [
        finopsCostSourcesExtensionPoint,
        { addCostSource: s => sources.push(s) },
      ],
    ],
    features: [
      finopsModuleDemo,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({ data: { finops } }),
    ],
  });
  await backend.stop();
  return sources;
}

describe('the FinOps demo module', () => {
  it('adds the demo spend as a cost source marked as demo data when finops.demo is on', async () => {
    const sources = await sourcesFor({ demo: true });
    expect(sources.map(s => [s.id, s.demo])).toEqual([['focus:demo', true]]);
  }, 120_000);

  it('adds nothing otherwise', async () => {
    expect(await sourcesFor({})).toEqual([]);
    expect(await sourcesFor({ demo: false })).toEqual([]);
  }, 120_000);
});
