/*
 * The organisation's teams side by side: one computation at a time, shared
 * by every caller, and once computed answered at once while a newer one is
 * computed in the background (the load test found every security reader
 * waiting for a recomputation over all findings each period).
 */
import { SchedulerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { GroupTree, OwnershipService } from '@portal/catalog-ownership';
import { EventStore, FindingStore } from '../database/types';
import { readSecopsOptions } from './options';
import { DastExposureService } from './DastExposure';
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
      // The teams side by side read no exposure.
      exposure: {} as DastExposureService,
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

  it('is computed by a local task at start, so that the first reader is answered at once', async () => {
    const tasks: Array<{ id: string; scope?: string; fn: () => unknown }> = [];
    await service.keepTeamsWarm({
      scheduleTask: async (task: (typeof tasks)[number]) => {
        tasks.push(task);
      },
    } as unknown as SchedulerService);
    expect(tasks).toMatchObject([
      { id: 'secops-organisation-teams', scope: 'local' },
    ]);
    const run = tasks[0].fn();
    await settle();
    reads[0].resolve(2);
    await run;
    // The first reader: no computation of their own.
    expect(critical(await service.teams())).toBe(2);
    expect(reads).toHaveLength(1);
    // Later runs refresh it behind the readers.
    clock += 31_000;
    await tasks[0].fn();
    expect(reads).toHaveLength(2);
    expect(critical(await service.teams())).toBe(2);
    reads[1].resolve(4);
    await settle();
    expect(critical(await service.teams())).toBe(4);
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
});
