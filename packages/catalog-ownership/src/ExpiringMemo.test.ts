import { ExpiringMemo } from './ExpiringMemo';

function setUp(options: Partial<{ maxEntries: number; maxWeight: number }>) {
  let now = 0;
  const memo = new ExpiringMemo<string[]>({
    maxAgeMs: 1_000,
    maxEntries: options.maxEntries ?? 10,
    maxWeight: options.maxWeight ?? 100,
    weigh: list => list.length,
    now: () => now,
  });
  const reads: string[] = [];
  const read = (key: string, size = 1) =>
    memo.get(key, async () => {
      reads.push(key);
      return Array.from({ length: size }, (_, i) => `${key}${i}`);
    });
  return { memo, reads, read, tick: (ms: number) => (now += ms) };
}

describe('ExpiringMemo', () => {
  it('shares one read among callers, also while it is under way, until its age', async () => {
    const { reads, read, tick } = setUp({});
    await Promise.all([read('a'), read('a'), read('a')]);
    tick(999);
    await read('a');
    expect(reads).toEqual(['a']);
    tick(1);
    await read('a');
    expect(reads).toEqual(['a', 'a']);
  });

  it('does not keep a failed read', async () => {
    const memo = new ExpiringMemo<number>({
      maxAgeMs: 1_000,
      maxEntries: 10,
      maxWeight: 10,
      weigh: () => 1,
    });
    await expect(
      memo.get('k', () => Promise.reject(new Error('down'))),
    ).rejects.toThrow('down');
    await expect(memo.get('k', async () => 7)).resolves.toBe(7);
    expect(memo.size).toBe(1);
  });

  it('forgets the least recently used beyond its number of answers', async () => {
    const { memo, reads, read } = setUp({ maxEntries: 2 });
    await read('a');
    await read('b');
    await read('a'); // a is now the most recently used
    await read('c'); // so b goes
    expect(memo.size).toBe(2);
    await read('a');
    await read('b');
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('forgets the oldest beyond its total weight', async () => {
    const { memo, reads, read } = setUp({ maxWeight: 10 });
    await read('a', 6);
    await read('b', 6); // 12 > 10: a goes
    expect(memo.size).toBe(1);
    await read('b', 6);
    await read('a', 6);
    expect(reads).toEqual(['a', 'b', 'a']);
  });

  it('with maxStaleMs, gives an old answer while one read runs behind the callers', async () => {
    let now = 0;
    const memo = new ExpiringMemo<string>({
      maxAgeMs: 1_000,
      maxStaleMs: 5_000,
      maxEntries: 10,
      maxWeight: 100,
      weigh: () => 1,
      now: () => now,
    });
    let answer = 'v1';
    let release = () => {};
    let fail = false;
    const reads: string[] = [];
    const read = () =>
      memo.get('team', async () => {
        reads.push(answer);
        const value = answer;
        await new Promise<void>(resolve => {
          release = resolve;
        });
        if (fail) throw new Error('catalog down');
        return value;
      });
    const first = read();
    release();
    expect(await first).toBe('v1');

    answer = 'v2';
    now = 1_500;
    // Past its age: answered at once from what is kept, one read behind.
    expect(await read()).toBe('v1');
    expect(await read()).toBe('v1');
    expect(reads).toEqual(['v1', 'v2']);
    release();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(await read()).toBe('v2');
    expect(reads).toEqual(['v1', 'v2']);

    // A failed read behind leaves the answer, and is tried again.
    fail = true;
    now = 3_000;
    expect(await read()).toBe('v2');
    release();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(await read()).toBe('v2');
    expect(reads).toHaveLength(4);
    release();
    await new Promise(resolve => setTimeout(resolve, 0));

    // Beyond maxStaleMs the caller waits, and shares the failure.
    now = 7_000;
    const late = read();
    release();
    await expect(late).rejects.toThrow('catalog down');
  });

  it('keeps nothing with a maximum age of zero', async () => {
    const memo = new ExpiringMemo<number>({
      maxAgeMs: 0,
      maxEntries: 10,
      maxWeight: 10,
      weigh: () => 1,
    });
    let reads = 0;
    await memo.get('k', async () => ++reads);
    await memo.get('k', async () => ++reads);
    expect(reads).toBe(2);
    expect(memo.size).toBe(0);
  });
});
