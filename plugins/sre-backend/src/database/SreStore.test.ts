import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testDatabaseIds } from '@portal/test-utils';
import { SloDefinition } from '@portal/plugin-sre-common';
import { SreStore } from './SreStore';

const def = (
  entityRef: string,
  name: string,
  target = 0.99,
): SloDefinition => ({
  entityRef,
  name,
  displayName: name,
  target,
  window: '28d',
  sourceType: 'Prometheus',
  goodQuery: 'g',
  totalQuery: 't',
});

describe('SreStore', () => {
  const databases = TestDatabases.create({ ids: testDatabaseIds() });

  async function store(databaseId: (typeof databases)['supportedIds'][number]) {
    const knex = await databases.init(databaseId);
    return SreStore.create({ database: mockServices.database({ knex }) });
  }

  it.each(databases.eachSupportedId())(
    'keeps definitions in step with the catalog, history with them, on %p',
    async databaseId => {
      const s = await store(databaseId);
      const a = 'component:default/a';
      expect(
        await s.replaceDefinitions([a], [def(a, 'x'), def(a, 'y')]),
      ).toEqual({ added: 2, removed: 0 });
      const [x] = (await s.definitions()).filter(d => d.name === 'x');
      await s.saveEvaluation(x.id, new Date('2026-11-20T00:00:00Z'), {
        sli: 0.995,
        errorBudgetRemaining: 0.5,
        burnRates: { '1h': 0.5 },
        status: 'ok',
      });
      // x changes its target and y goes: x keeps its history.
      expect(await s.replaceDefinitions([a], [def(a, 'x', 0.999)])).toEqual({
        added: 0,
        removed: 1,
      });
      expect((await s.definitions()).map(d => [d.name, d.target])).toEqual([
        ['x', 0.999],
      ]);
      expect(await s.history(x.id, new Date(0))).toHaveLength(1);
      // Saving the same evaluation twice (a retried run) adds nothing.
      await s.saveEvaluation(x.id, new Date('2026-11-20T00:00:00Z'), {
        sli: 0.995,
        errorBudgetRemaining: 0.5,
        burnRates: {},
        status: 'ok',
      });
      expect(await s.history(x.id, new Date(0))).toHaveLength(1);
      expect(await s.pruneHistory(new Date('2026-11-21T00:00:00Z'))).toBe(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'pages the SLOs of many entities worst first, on %p',
    async databaseId => {
      const s = await store(databaseId);
      const refs = Array.from(
        { length: 600 },
        (_, i) => `component:default/svc-${String(i).padStart(3, '0')}`,
      );
      await s.replaceDefinitions(
        refs,
        refs.map(r => def(r, 'availability')),
      );
      const all = await s.definitions();
      const worst = all.find(d => d.entityRef.endsWith('svc-599'))!;
      await s.saveEvaluation(worst.id, new Date(), {
        sli: 0.9,
        errorBudgetRemaining: -9,
        burnRates: {},
        status: 'exhausted',
      });
      const first = await s.listSlos(refs, { limit: 250 });
      expect(first.totalCount).toBe(600);
      expect(first.items[0]).toMatchObject({
        entityRef: 'component:default/svc-599',
        status: 'exhausted',
      });
      const second = await s.listSlos(refs, {
        limit: 250,
        cursor: first.nextCursor,
      });
      const third = await s.listSlos(refs, {
        limit: 250,
        cursor: second.nextCursor,
      });
      expect(third.nextCursor).toBeUndefined();
      const ids = new Set(
        [...first.items, ...second.items, ...third.items].map(x => x.id),
      );
      expect(ids.size).toBe(600);
      expect(await s.listSlos([])).toEqual({ items: [], totalCount: 0 });

      // In brief, for all 600 at once (two chunks): the exhausted one with
      // its budget, the others never evaluated; an unknown ref is absent.
      const briefs = await s.briefsByEntity([
        ...refs,
        'component:default/none',
      ]);
      expect(briefs.size).toBe(600);
      expect(briefs.get('component:default/svc-599')).toEqual([
        {
          id: worst.id,
          name: 'availability',
          status: 'exhausted',
          errorBudgetRemaining: -9,
          evaluatedAt: expect.any(String),
        },
      ]);
      expect(briefs.get('component:default/svc-000')).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f]{64}$/),
          name: 'availability',
          status: 'unknown',
          errorBudgetRemaining: null,
          evaluatedAt: undefined,
        },
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'records alerts once, then only their status, on %p',
    async databaseId => {
      const s = await store(databaseId);
      const alert = {
        fingerprint: 'abc',
        entityRef: 'component:default/a',
        alertName: 'HighErrorRate',
        status: 'firing' as const,
        startsAt: '2026-11-20T10:00:00.000Z',
      };
      expect(await s.upsertAlerts([alert], new Date())).toBe(1);
      expect(
        await s.upsertAlerts(
          [
            {
              ...alert,
              status: 'resolved',
              endsAt: '2026-11-20T11:00:00.000Z',
            },
          ],
          new Date(),
        ),
      ).toBe(0);
      const page = await s.listAlerts(['component:default/a']);
      expect(page.totalCount).toBe(1);
      expect(page.items[0]).toMatchObject({
        status: 'resolved',
        endsAt: '2026-11-20T11:00:00.000Z',
      });
      expect(
        (await s.listAlerts(['component:default/a'], { status: 'firing' }))
          .totalCount,
      ).toBe(0);
    },
  );
});
