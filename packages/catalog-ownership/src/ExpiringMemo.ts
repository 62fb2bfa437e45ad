/**
 * Answers of a costly read kept for a while, by key: a second caller within
 * `maxAgeMs` gets the first one's answer (also while it is still being
 * read, so that a crowd asking the same thing makes one read). A failed
 * read is not kept. At most `maxEntries` answers are kept, and at most
 * `maxWeight` in all (by the given weight, for example how many entities an
 * answer holds); the least recently used go first. A maximum age of zero
 * keeps nothing: every call reads.
 */
export class ExpiringMemo<T> {
  private readonly entries = new Map<
    string,
    { at: number; value: Promise<T>; weight: number }
  >();
  private totalWeight = 0;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      maxAgeMs: number;
      maxEntries: number;
      maxWeight: number;
      weigh: (value: T) => number;
      now?: () => number;
    },
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  /** How many answers are kept now. */
  get size(): number {
    return this.entries.size;
  }

  get(key: string, read: () => Promise<T>): Promise<T> {
    if (this.options.maxAgeMs <= 0) return read();
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.options.maxAgeMs) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.value;
    }
    if (entry) this.remove(key);
    const value = read();
    const fresh = { at: now, value, weight: 0 };
    this.entries.set(key, fresh);
    value.then(
      answer => {
        if (this.entries.get(key) !== fresh) return;
        fresh.weight = this.options.weigh(answer);
        this.totalWeight += fresh.weight;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === fresh) this.remove(key);
      },
    );
    this.evict();
    return value;
  }

  private remove(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.totalWeight -= entry.weight;
    this.entries.delete(key);
  }

  private evict() {
    for (const key of this.entries.keys()) {
      if (
        this.entries.size <= this.options.maxEntries &&
        this.totalWeight <= this.options.maxWeight
      ) {
        return;
      }
      this.remove(key);
    }
  }
}
