/*
 * The organisation's teams side by side: one computation at a time, shared
 * by every caller, and once computed answered at once while a newer one is
 * computed in the background (the load test found every security reader
 * waiting for a recomputation over all findings each period).
 */
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { GroupTree, OwnershipService } from '@portal/catalog-ownership';
import { EventStore, FindingStore } from '../database/types';
import { readSecopsOptions } from './options';
import { PostureService } from './PostureService';

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, title: name },
  spec: { type: 'team', children: [] },
});
const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name },
  spec: { owner: 'team-a' },
});

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PostureService.teams', () => {
  let clock: number;
  let reads: Array<ReturnType<typeof deferred<number>>>;
  let service: PostureService;

  beforeEach(() => {
    clock = 1_000_000;
    reads = [];
    // Each read of the counts waits until the test settles it with the
    // number of critical findings team-a's one component has.
    const findings = {
      countForAll: async () => {
        const read = deferred<number>();
        reads.push(read);
        const critical = await read.promise;
        return new Map(
          ['component:default/api', 'component:default/elsewhere'].map(ref => [
            ref,
            {
              open: { critical, high: 0, medium: 0, low: 0, info: 0 },
              overdue: 0,
              knownExploited: 0,
              fixed: 0,
              byCategory: {},
            },
          ]),
        );
      },
    } as unknown as FindingStore;
    const groups = {
      tree: async () => GroupTree.fromEntities([group('team-a')]),
      ownedEntitiesByGroup: async (refs: string[]) =>
        new Map(refs.map(ref => [ref, [component('api')]])),
    } as unknown as OwnershipService;
    service = new PostureService({
      findings,
      events: {} as EventStore,
      groups,
      options: readSecopsOptions(new ConfigReader({})),
      now: () => clock,
    });
  });

  /** Lets the service reach its next await. */
  const settle = () => new Promise(r => setImmediate(r));
  const critical = (rows: Awaited<ReturnType<PostureService['teams']>>) =>
    rows[0].open.critical;

  it('computes once for every caller meanwhile', async () => {
    const first = service.teams();
    const second = service.teams();
    await settle();
    expect(reads).toHaveLength(1);
    reads[0].resolve(3);
    expect(critical(await first)).toBe(3);
    expect(critical(await second)).toBe(3);
    expect(critical(await service.teams())).toBe(3);
    expect(reads).toHaveLength(1);
  });

  it('answers the last result at once when it is old, and refreshes it in the background', async () => {
    const first = service.teams();
    await settle();
    reads[0].resolve(3);
    await first;

    clock += 30_000;
    // Old: answered at once with the last result, while one new
    // computation starts for every caller.
    expect(critical(await service.teams())).toBe(3);
    expect(critical(await service.teams())).toBe(3);
    await settle();
    expect(reads).toHaveLength(2);
    reads[1].resolve(5);
    await settle();
    expect(critical(await service.teams())).toBe(5);
    expect(reads).toHaveLength(2);
  });

  it('keeps the last good result when a refresh fails, and tries again', async () => {
    const first = service.teams();
    await settle();
    reads[0].resolve(3);
    await first;

    clock += 30_000;
    expect(critical(await service.teams())).toBe(3);
    await settle();
    reads[1].reject(new Error('database gone'));
    await settle();
    expect(critical(await service.teams())).toBe(3);
    await settle();
    expect(reads).toHaveLength(3);
    reads[2].resolve(4);
    await settle();
    expect(critical(await service.teams())).toBe(4);
  });

  it('waits longer before refreshing what took long to compute', async () => {
    const first = service.teams();
    await settle();
    clock += 20_000; // the computation takes 20 s
    reads[0].resolve(3);
    await first;

    clock += 50_000; // 70 s after it began: fresh for 4 x 20 s = 80 s
    expect(critical(await service.teams())).toBe(3);
    await settle();
    expect(reads).toHaveLength(1);
    clock += 11_000;
    expect(critical(await service.teams())).toBe(3);
    await settle();
    expect(reads).toHaveLength(2);
  });

  it('counts only what each team owns', async () => {
    const first = service.teams();
    await settle();
    reads[0].resolve(3);
    expect(await first).toEqual([
      expect.objectContaining({
        groupRef: 'group:default/team-a',
        entities: 1,
        open: { critical: 3, high: 0, medium: 0, low: 0, info: 0 },
      }),
    ]);
  });

  it('fails the callers of a first computation that fails, then tries again', async () => {
    const first = service.teams();
    await settle();
    reads[0].reject(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    const again = service.teams();
    await settle();
    expect(reads).toHaveLength(2);
    reads[1].resolve(2);
    expect(critical(await again)).toBe(2);
  });
});
