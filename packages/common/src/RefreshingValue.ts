/**
 * A value that is costly to compute and the same for every caller (the
 * organisation's posture, the list of dashboards): computed by one
 * computation at a time, which every caller meanwhile shares, and, once
 * computed, answered at once. When it is older than its maximum age, the
 * next call starts a new computation in the background and is answered the
 * last value; only the very first computation is waited for. The maximum
 * age grows with the cost: a value is kept at least `refreshShare` times as
 * long as its last computation took, so that refreshing never takes more
 * than that share of the time. A failed computation is not kept: the last
 * good value stays, and the next call tries again (a first computation's
 * failure is its callers'). With `maxStaleMs`, a value older than that is
 * no longer answered: callers wait for the computation (and share its
 * failure), as for the first.
 *
 * @public
 */
export class RefreshingValue<T> {
  private last: { at: number; took: number; value: T } | undefined;
  private computing: Promise<T> | undefined;
  private readonly now: () => number;
  private readonly refreshShare: number;

  constructor(
    private readonly compute: () => Promise<T>,
    private readonly options: {
      /**
       * How long a value is answered before it is computed again (at zero,
       * never: every call waits for a computation, sharing one under way).
       */
      maxAgeMs: number;
      /**
       * Keep a value at least this many times as long as it took to compute
       * (4 unless given: refreshing takes at most a fifth of the time).
       */
      refreshShare?: number;
      /**
       * The oldest value answered while a new one is computed (no limit
       * unless given); at zero every call waits for a computation.
       */
      maxStaleMs?: number;
      now?: () => number;
    },
  ) {
    // Read the clock through Date each time, so that tests may mock it.
    this.now = options.now ?? (() => Date.now());
    this.refreshShare = options.refreshShare ?? 4;
  }

  /** The last value, computing one when there is none or it is old. */
  async get(): Promise<T> {
    // A maximum age of zero keeps nothing: each call waits for a computation.
    if (this.options.maxAgeMs <= 0) return this.start();
    const last = this.last;
    const maxAge = Math.max(
      this.options.maxAgeMs,
      this.refreshShare * (last?.took ?? 0),
    );
    if (last && this.now() - last.at < maxAge) return last.value;
    const computing = this.start();
    const { maxStaleMs } = this.options;
    const usable =
      last && (maxStaleMs === undefined || this.now() - last.at < maxStaleMs);
    return usable ? last.value : computing;
  }

  /**
   * A newly computed value, waited for: the computation under way, or a new
   * one (for a caller who knows the last value is out of date).
   */
  refresh(): Promise<T> {
    return this.start();
  }

  private start(): Promise<T> {
    if (!this.computing) {
      const at = this.now();
      const computing = this.compute()
        .then(value => {
          this.last = { at, took: this.now() - at, value };
          return value;
        })
        .finally(() => {
          if (this.computing === computing) this.computing = undefined;
        });
      // A refresh in the background that fails is tried again next call.
      computing.catch(() => undefined);
      this.computing = computing;
    }
    return this.computing;
  }
}
