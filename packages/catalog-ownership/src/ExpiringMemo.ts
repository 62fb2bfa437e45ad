/** An answer kept, or being read. */
interface Entry<T> {
  at: number;
  value: Promise<T>;
  weight: number;
  /** Whether the read succeeded (only such answers are given stale). */
  settled?: boolean;
  /** Whether a read behind the callers is under way for it. */
  refreshing?: boolean;
}

/**
 * Answers of a costly read kept for a while, by key: a second caller within
 * `maxAgeMs` gets the first one's answer (also while it is still being
 * read, so that a crowd asking the same thing makes one read). A failed
 * read is not kept. At most `maxEntries` answers are kept, and at most
 * `maxWeight` in all (by the given weight, for example how many entities an
 * answer holds); the least recently used go first. A maximum age of zero
 * keeps nothing: every call reads. With `maxStaleMs`, an answer past its
 * age but younger than that is still given while one read for its key
 * runs behind the callers (and replaces it when it succeeds).
 */
export class ExpiringMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private totalWeight = 0;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      maxAgeMs: number;
      maxEntries: number;
      maxWeight: number;
      weigh: (value: T) => number;
      /** The oldest answer given while it is read again behind callers. */
      maxStaleMs?: number;
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
    const age = entry ? now - entry.at : Infinity;
    const young = age < this.options.maxAgeMs;
    const stale =
      entry?.settled && !young && age < (this.options.maxStaleMs ?? 0)
        ? entry
        : undefined;
    if (entry && (young || stale)) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
      if (stale && !stale.refreshing) {
        stale.refreshing = true;
        // Replaces the entry when it succeeds; a failure leaves it, to be
        // tried again by the next caller.
        this.start(key, read, now, stale).catch(() => {
          if (this.entries.get(key) === stale) stale.refreshing = false;
        });
      }
      return entry.value;
    }
    if (entry) this.remove(key);
    const value = this.start(key, read, now);
    this.evict();
    return value;
  }

  /**
   * Reads `key`'s answer, kept at once (callers meanwhile share the read),
   * or, when it `replaces` a stale answer, from when it succeeds.
   */
  private start(
    key: string,
    read: () => Promise<T>,
    now: number,
    replaces?: Entry<T>,
  ) {
    const value = read();
    const fresh: Entry<T> = { at: now, value, weight: 0 };
    if (!replaces) this.entries.set(key, fresh);
    value.then(
      answer => {
        if (replaces) {
          // Not if the stale answer went meanwhile.
          if (this.entries.get(key) !== replaces) return;
          this.remove(key);
          this.entries.set(key, fresh);
        } else if (this.entries.get(key) !== fresh) {
          return;
        }
        fresh.settled = true;
        fresh.weight = this.options.weigh(answer);
        this.totalWeight += fresh.weight;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === fresh) this.remove(key);
      },
    );
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
