import { mockServices } from '@backstage/backend-test-utils';
import { CostRow, StoredDay } from '@portal/plugin-finops-node';
import { DemoSpendSource } from './DemoSpendSource';

const START = Date.parse('2026-11-26T10:00:00Z');

/**
 * The source on a fake clock that only moves when it sleeps, with a catalog
 * that has the given numbers of components at its successive reads.
 */
function setup(componentsSeen: number[]) {
  let now = START;
  let reads = 0;
  const loads: Array<{ from: string; to: string; rows: CostRow[] }> = [];
  const stored: StoredDay[] = [];
  const source = new DemoSpendSource({
    currency: 'EUR',
    logger: mockServices.logger.mock(),
    now: () => now,
    sleep: async ms => {
      now += ms;
    },
    readEntities: async () => {
      const n = componentsSeen[Math.min(reads++, componentsSeen.length - 1)];
      return Array.from({ length: n }, (_, i) => ({
        ref: `component:default/c${i}`,
        kind: 'component',
      }));
    },
  });
  const context = {
    tagKey: 'portal-entity-ref',
    storedDays: async () => stored,
    replaceDays: async (from: string, to: string, rows: CostRow[]) => {
      loads.push({ from, to, rows });
      stored.push({ day: to, estimated: false, fetchedAt: new Date(now) });
    },
    countApiCall: () => {},
  };
  return {
    source,
    context,
    loads,
    reads: () => reads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('DemoSpendSource', () => {
  it('is marked as demo data, under the id the demo year had before', () => {
    const { source } = setup([1]);
    expect(source.demo).toBe(true);
    expect(source.id).toBe('focus:demo');
  });

  it('waits for components, loads the year, loads it again while the catalog grows, and stops once it is settled', async () => {
    const { source, context, loads } = setup([0, 0, 3, 3, 40, 40, 40, 40, 40]);
    await source.refresh(context);
    expect(loads).toHaveLength(2);
    expect(
      loads[0].rows.filter(r => r.tagValue?.startsWith('component:')),
    ).not.toHaveLength(0);
    const tagged = (i: number) =>
      new Set(
        loads[i].rows
          .map(r => r.tagValue)
          .filter(t => t?.startsWith('component:default/c')),
      ).size;
    expect(tagged(0)).toBe(3);
    expect(tagged(1)).toBe(40);
    // A year ending yesterday, in the portal's currency.
    expect(loads[1]).toMatchObject({ from: '2025-11-26', to: '2026-11-25' });
    expect(new Set(loads[1].rows.map(r => r.currency))).toEqual(
      new Set(['EUR']),
    );
  });

  it('later, loads the year again only when it no longer ends yesterday; a new service gets no invented history', async () => {
    const { source, context, loads, advance } = setup([3, 3, 3, 3, 3, 4]);
    await source.refresh(context);
    expect(loads).toHaveLength(1);
    advance(6 * 3600_000); // the next refresh, same day
    await source.refresh(context);
    expect(loads).toHaveLength(1);
    advance(24 * 3600_000); // a day later
    await source.refresh(context);
    expect(loads).toHaveLength(2);
    expect(loads[1].to).toBe('2026-11-26');
  });

  it('gives up waiting for components when the start is long past', async () => {
    const { source, context, loads, reads } = setup([0]);
    await source.refresh(context);
    expect(loads).toEqual([]);
    // One read every 15 s for the ten minutes after the start.
    expect(reads()).toBe(41);
  });
});
