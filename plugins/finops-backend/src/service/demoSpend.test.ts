import { mockServices } from '@backstage/backend-test-utils';
import { loadDemoSpend, DemoSpendState } from './demoSpend';

function setup(componentsSeen: number[]) {
  let call = 0;
  const imports: unknown[] = [];
  const runs: any[] = [];
  const deps = {
    store: { listImports: async () => runs } as any,
    catalog: {
      snapshot: async () => {
        const n = componentsSeen[Math.min(call++, componentsSeen.length - 1)];
        const entities = new Map(
          Array.from({ length: n }, (_, i) => [
            `component:default/c${i}`,
            { kind: 'component', ref: `component:default/c${i}` },
          ]),
        );
        return { entities };
      },
    } as any,
    importer: {
      importFocus: async (input: unknown) => {
        imports.push(input);
        const run = {
          source: 'focus:demo',
          status: 'succeeded',
          rowsRead: 10,
          from: '2025-11-26',
          to: '2026-11-25',
        };
        runs.unshift(run);
        return run;
      },
    } as any,
    options: { tagKey: 'portal-entity-ref', currency: 'USD' } as any,
    logger: mockServices.logger.mock(),
    today: '2026-11-26',
  };
  return { deps, imports };
}

describe('the demo year of spend', () => {
  it('waits for components, loads once, and loads again when the catalog has grown', async () => {
    const { deps, imports } = setup([0, 3, 3, 40, 40, 41]);
    const state: DemoSpendState = {};
    let now = Date.parse('2026-11-26T10:00:00Z');
    const run = () => loadDemoSpend({ ...deps, state, now });
    await run(); // no components yet
    expect(imports).toHaveLength(0);
    await run(); // 3 components: the first load
    expect(imports).toHaveLength(1);
    await run(); // still 3 and current: nothing to do
    expect(imports).toHaveLength(1);
    await run(); // the rest of the organisation arrived
    expect(imports).toHaveLength(2);
    expect(state.components).toBe(40);
    await run();
    expect(imports).toHaveLength(2);
    // Long after the start, a new service does not reload the year.
    now += 30 * 60_000;
    await run();
    expect(imports).toHaveLength(2);
  });
});
