import { RefreshingValue } from './RefreshingValue';

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

describe('RefreshingValue', () => {
  let clock: number;
  let computations: Array<ReturnType<typeof deferred<number>>>;
  let value: RefreshingValue<number>;

  /** A value each of whose computations waits until the test settles it. */
  const settledByTest = (options: { maxAgeMs: number; maxStaleMs?: number }) =>
    new RefreshingValue(
      () => {
        const computation = deferred<number>();
        computations.push(computation);
        return computation.promise;
      },
      { ...options, now: () => clock },
    );

  beforeEach(() => {
    clock = 1_000_000;
    computations = [];
    value = settledByTest({ maxAgeMs: 30_000 });
  });

  /** Lets the value reach its next await. */
  const settle = () => new Promise(r => setTimeout(r, 0));

  it('computes once for every caller meanwhile', async () => {
    const first = value.get();
    const second = value.get();
    expect(computations).toHaveLength(1);
    computations[0].resolve(3);
    expect(await first).toBe(3);
    expect(await second).toBe(3);
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(1);
  });

  it('answers the last value at once when it is old, and refreshes it in the background', async () => {
    const first = value.get();
    computations[0].resolve(3);
    await first;

    clock += 30_000;
    expect(await value.get()).toBe(3);
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(2);
    computations[1].resolve(5);
    await settle();
    expect(await value.get()).toBe(5);
    expect(computations).toHaveLength(2);
  });

  it('keeps the last good value when a refresh fails, and tries again', async () => {
    const first = value.get();
    computations[0].resolve(3);
    await first;

    clock += 30_000;
    expect(await value.get()).toBe(3);
    computations[1].reject(new Error('database gone'));
    await settle();
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(3);
    computations[2].resolve(4);
    await settle();
    expect(await value.get()).toBe(4);
  });

  it('keeps what took long to compute four times as long as it took', async () => {
    const first = value.get();
    clock += 20_000; // the computation takes 20 s
    computations[0].resolve(3);
    await first;

    clock += 50_000; // 70 s after it began: fresh for 4 x 20 s = 80 s
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(1);
    clock += 11_000;
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(2);
  });

  it('stops answering a value older than maxStaleMs: callers wait for the computation and share its failure', async () => {
    const bounded = settledByTest({ maxAgeMs: 30_000, maxStaleMs: 90_000 });
    const first = bounded.get();
    computations[0].resolve(3);
    await first;

    clock += 60_000; // old, not yet too old: answered, refreshed behind
    expect(await bounded.get()).toBe(3);
    computations[1].reject(new Error('catalog gone'));
    await settle();

    clock += 30_000; // 90 s: too old to answer
    const waiting = bounded.get();
    expect(computations).toHaveLength(3);
    computations[2].reject(new Error('catalog gone'));
    await expect(waiting).rejects.toThrow('catalog gone');
    const again = bounded.get();
    computations[3].resolve(7);
    expect(await again).toBe(7);
  });

  it('computes anew when asked to refresh, and waits for it', async () => {
    const first = value.get();
    computations[0].resolve(3);
    await first;

    const refreshed = value.refresh();
    // Callers meanwhile share that computation, and are answered the last
    // value until it ends (it is not old).
    expect(await value.get()).toBe(3);
    expect(computations).toHaveLength(2);
    computations[1].resolve(4);
    expect(await refreshed).toBe(4);
    expect(await value.get()).toBe(4);
  });

  it('keeps nothing at a maximum age of zero, however long a computation took', async () => {
    const uncached = settledByTest({ maxAgeMs: 0 });
    const first = uncached.get();
    clock += 5_000;
    computations[0].resolve(1);
    await first;
    const second = uncached.get();
    expect(computations).toHaveLength(2);
    computations[1].resolve(2);
    expect(await second).toBe(2);
  });

  it('fails the callers of a first computation that fails, then tries again', async () => {
    const first = value.get();
    computations[0].reject(new Error('database gone'));
    await expect(first).rejects.toThrow('database gone');
    const again = value.get();
    expect(computations).toHaveLength(2);
    computations[1].resolve(2);
    expect(await again).toBe(2);
  });
});
