/** The value a label takes when what was offered is unknown, unsafe, or past the series cap. */
export const OTHER_LABEL = 'other';

/** Label names whose series describe one tenant; unauthenticated scrapes never see them. */
export const PER_TENANT_LABELS: readonly string[] = ['tenant'];

// A label value is printed as is: no quotes, commas, braces, spaces or control characters, bounded length.
const SAFE_VALUE = /^[\w.:/@+-]{0,128}$/;

export interface LabelLimits {
  /** A label set not updated for this long is removed at the next scrape (deleted tenants, old prompt versions). */
  seriesTtlMs: number;
  /** Label sets per metric; past it, new label sets are recorded under `other` in every label. */
  maxSeriesPerMetric: number;
  /** Known values per domain (models, tenants, prompts); past it, new values are `other`. */
  maxValuesPerDomain: number;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now: () => number;
}

/**
 * The default clock: the wall clock to the second, read from a value a timer refreshes (unref'd,
 * started on first use) rather than a system call per observation. Series last for an hour, so a
 * second's precision is plenty; with a configured clock (tests), that clock is read every time.
 */
const COARSE_CLOCK_MS = 1_000;
let coarseNow = 0;
let coarseTimer: NodeJS.Timeout | null = null;
function coarseClock(): number {
  if (coarseTimer === null) {
    coarseNow = Date.now();
    coarseTimer = setInterval(() => (coarseNow = Date.now()), COARSE_CLOCK_MS);
    coarseTimer.unref();
  }
  return coarseNow;
}

export const DEFAULT_LABEL_LIMITS: Readonly<LabelLimits> = Object.freeze({
  seriesTtlMs: 3_600_000,
  maxSeriesPerMetric: 5_000,
  maxValuesPerDomain: 1_000,
  now: coarseClock,
});

let limits: LabelLimits = { ...DEFAULT_LABEL_LIMITS };

/** Changes the series TTL, caps or clock; fields left out keep their value. */
export function configureLabelLimits(change: Partial<LabelLimits>): void {
  limits = { ...limits, ...change };
}

/** Back to the defaults, forgetting every known value (tests). */
export function resetLabelLimits(): void {
  limits = { ...DEFAULT_LABEL_LIMITS };
  for (const domain of domains.values()) domain.clear();
}

export function labelLimits(): Readonly<LabelLimits> {
  return limits;
}

/**
 * Values of one kind (model, tenant, prompt) learned from a trusted origin: configuration, the
 * registry, an authenticated tenant, a model a provider actually answered with. A metric label
 * bound to a domain shows only known values; anything a client made up becomes `other`.
 */
export class LabelDomain {
  private readonly seen = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly shape: RegExp = SAFE_VALUE,
  ) {}

  /** Marks values as known; unsafe values and values past the domain's cap are ignored. */
  learn(...values: (string | null | undefined)[]): void {
    const now = limits.now();
    for (const value of values) {
      if (!value) continue;
      // A known value passed the shape checks when it was first learned.
      if (this.seen.has(value)) this.seen.set(value, now);
      else if (this.seen.size < limits.maxValuesPerDomain && SAFE_VALUE.test(value) && this.shape.test(value)) this.seen.set(value, now);
    }
  }

  has(value: string): boolean {
    return this.seen.has(value);
  }

  /** The value itself when known, else `other`; the special values `-` and `` pass. */
  bound(value: string): string {
    if (value === '' || value === '-') return value;
    if (!this.seen.has(value)) return OTHER_LABEL;
    this.seen.set(value, limits.now());
    return value;
  }

  /** Forgets values not learned or used since `before`. */
  expire(before: number): void {
    for (const [value, at] of this.seen) if (at < before) this.seen.delete(value);
  }

  get size(): number {
    return this.seen.size;
  }

  clear(): void {
    this.seen.clear();
  }
}

const domains = new Map<string, LabelDomain>([
  ['model', new LabelDomain('model')],
  // Tenant ids have the registry's shape (see libs/persistence tenant.errors.ts).
  ['tenant', new LabelDomain('tenant', /^[a-z0-9][a-z0-9_-]{0,99}$/)],
  ['prompt', new LabelDomain('prompt')],
]);

export type LabelDomainName = 'model' | 'tenant' | 'prompt';

/**
 * The domain of known values for models, tenants or prompts, shared by every metric of the process.
 *
 * @example
 * labelDomain('model').learn(...Object.keys(priceTable.models));
 */
export function labelDomain(name: LabelDomainName): LabelDomain {
  return domains.get(name)!;
}

/** How one label's values are bounded: a named domain of learned values, or a fixed list. */
export type LabelBound = LabelDomainName | readonly string[];

interface SeriesEntry<L extends string> {
  labels: Record<L, string>;
  at: number;
}

/** Applies a metric's label bounds and remembers when each of its label sets was last updated. */
export class SeriesGuard<L extends string> {
  private readonly series = new Map<string, SeriesEntry<L>>();
  /**
   * The label sets admitted unchanged, looked up by their raw values one label at a time (a Map per
   * label, the series at the last level): an observation of a known series builds no key and
   * allocates nothing. Holds only series in `series`, so it is bounded by the same cap; it is
   * dropped whenever a series is forgotten and refills as series are observed again.
   */
  private exact = new Map<unknown, unknown>();

  constructor(
    private readonly labelNames: readonly L[],
    private readonly bounds: Partial<Record<L, LabelBound>>,
  ) {}

  /** The label set to record: bounded values, or `other` everywhere once the metric is at its cap. */
  admit(labels: Partial<Record<L, string | number>>): Record<L, string> {
    let node: unknown = this.labelNames.length === 0 ? undefined : this.exact;
    for (let i = 0; i < this.labelNames.length && node !== undefined; i++) node = (node as Map<unknown, unknown>).get(labels[this.labelNames[i]!]);
    if (node !== undefined) {
      const known = node as SeriesEntry<L>;
      known.at = limits.now();
      return known.labels;
    }
    const bounded = {} as Record<L, string>;
    for (const name of this.labelNames) bounded[name] = this.boundOne(name, labels[name]);
    let key = seriesKey(this.labelNames, bounded);
    if (!this.series.has(key) && this.series.size >= limits.maxSeriesPerMetric) {
      for (const name of this.labelNames) bounded[name] = OTHER_LABEL;
      key = seriesKey(this.labelNames, bounded);
    }
    let entry = this.series.get(key);
    if (entry) {
      // A known series keeps its first labels object: no new entry per observation, only its time.
      entry.at = limits.now();
    } else {
      entry = { labels: bounded, at: limits.now() };
      this.series.set(key, entry);
    }
    // Nothing was replaced: these raw values may take the exact path from now on.
    if (this.labelNames.length > 0 && key === seriesKey(this.labelNames, labels as Record<string, unknown>)) this.rememberExact(labels, entry);
    return entry.labels;
  }

  /** Label sets not updated since `before`; they are forgotten here and must be removed from the metric. */
  takeStale(before: number): Record<L, string>[] {
    const stale: Record<L, string>[] = [];
    for (const [key, entry] of this.series) {
      if (entry.at < before) {
        stale.push(entry.labels);
        this.series.delete(key);
      }
    }
    if (stale.length > 0) this.exact = new Map();
    return stale;
  }

  get size(): number {
    return this.series.size;
  }

  clear(): void {
    this.series.clear();
    this.exact = new Map();
  }

  private rememberExact(labels: Partial<Record<L, string | number>>, entry: SeriesEntry<L>): void {
    let node = this.exact;
    const last = this.labelNames.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[this.labelNames[i]!];
      let next = node.get(value) as Map<unknown, unknown> | undefined;
      if (next === undefined) node.set(value, (next = new Map()));
      node = next;
    }
    node.set(labels[this.labelNames[last]!], entry);
  }

  private boundOne(name: L, raw: string | number | undefined): string {
    const value = raw === undefined ? '' : String(raw);
    if (!SAFE_VALUE.test(value)) return OTHER_LABEL;
    const bound = this.bounds[name];
    if (bound === undefined) return value;
    if (typeof bound === 'string') return domains.get(bound)!.bound(value);
    return value === '' || value === '-' || bound.includes(value) ? value : OTHER_LABEL;
  }
}

function seriesKey(names: readonly string[], labels: Record<string, unknown>): string {
  let key = '';
  for (const n of names) key += `${labels[n] ?? ''}\u0000`;
  return key;
}

/** Forgets domain values not used for a series TTL. */
export function expireLabelDomains(before: number): void {
  for (const domain of domains.values()) domain.expire(before);
}

/** Drops the sample lines of series that carry a per-tenant label from a Prometheus text exposition. */
export function withoutPerTenantSeries(exposition: string): string {
  // Label values never contain `,`, `{` or `"` (SAFE_VALUE), so this match is exact.
  const perTenant = new RegExp(`[{,](?:${PER_TENANT_LABELS.join('|')})="`);
  return exposition
    .split('\n')
    .filter((line) => line.startsWith('#') || !perTenant.test(line))
    .join('\n');
}
