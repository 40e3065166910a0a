export interface RefreshingCacheOptions {
  /** An entry younger than this is served as is. */
  freshMs: number;
  /**
   * An entry older than `freshMs` but younger than this is still served, at once, while one
   * background look-up refreshes it; older than this, a caller waits for the look-up. The bound on
   * staleness when the store keeps failing or is slow.
   */
  maxStaleMs: number;
  /** Entries kept at most; the oldest key is dropped first. Default 10,000. */
  maxEntries?: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

interface Entry<V> {
  value?: { v: V; at: number };
  /** The look-up under way for this key, shared by every caller waiting for it. */
  loading?: Promise<V>;
}

/**
 * A stale-while-revalidate cache for look-ups on the request path (prompt labels, tenants). Once a
 * key has a value, a request never waits for the store again while that value is within
 * `maxStaleMs`: after `freshMs` it is refreshed in the background, and a failed refresh keeps the
 * old value. So on PGlite, whose single connection may be busy with write-behind batches for
 * seconds under load, an expiring entry does not make requests queue behind them (or time out
 * waiting for the connection). `invalidate` drops entries at once: the next caller waits for a
 * fresh look-up, so a registry event still takes effect immediately.
 *
 * @example const cache = new RefreshingCache<Tenant | null>({ freshMs: 30_000, maxStaleMs: 300_000 });
 *          const tenant = await cache.get(id, () => repo.findTenant(id));
 */
export class RefreshingCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;
  private readonly maxEntries: number;

  constructor(private readonly options: RefreshingCacheOptions) {
    if (!(options.freshMs >= 0 && options.maxStaleMs >= options.freshMs)) {
      throw new RangeError(`maxStaleMs (${options.maxStaleMs}) must be at least freshMs (${options.freshMs}), both non-negative`);
    }
    this.now = options.now ?? Date.now;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /**
   * The value of `key`, looked up with `load` when there is none usable. A value `keep` refuses
   * (for example a miss) is returned but not stored, so the next caller asks again.
   */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    let entry = this.entries.get(key);
    const at = this.now();
    if (entry?.value) {
      const age = at - entry.value.at;
      if (age < this.options.freshMs) return entry.value.v;
      if (age < this.options.maxStaleMs) {
        if (!entry.loading) this.start(key, entry, load, keep).catch(() => undefined);
        return entry.value.v;
      }
    }
    if (!entry) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, (entry = {}));
    }
    return entry.loading ?? this.start(key, entry, load, keep);
  }

  /** Drops every key `matches` accepts; a look-up already under way for it is not stored. */
  invalidate(matches: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (matches(key)) this.entries.delete(key);
  }

  private start(key: string, entry: Entry<V>, load: () => Promise<V>, keep: (value: V) => boolean): Promise<V> {
    const loading = (async () => load())();
    entry.loading = loading;
    loading.then(
      (v) => {
        if (entry.loading === loading) delete entry.loading;
        if (this.entries.get(key) !== entry) return; // invalidated meanwhile: a newer look-up decides
        if (keep(v)) entry.value = { v, at: this.now() };
        else this.entries.delete(key);
      },
      () => {
        if (entry.loading === loading) delete entry.loading;
        // A failed refresh keeps the old value (until maxStaleMs); a key with none is forgotten.
        if (!entry.value && this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return loading;
  }
}
