import hdr from 'hdr-histogram-js';

export const MINUTE_MS = 60_000;
export const MAX_TRACKED_MS = 3_600_000;

export type Histogram = ReturnType<typeof hdr.build>;

/**
 * Millisecond histogram, mergeable across minutes and series: packed for a stored minute (sparse,
 * under 1 KiB), dense for a merged window (fast to add into and subtract from).
 */
export function newHistogram(kind: 'packed' | 'dense' = 'packed'): Histogram {
  return hdr.build({ bitBucketSize: kind === 'packed' ? 'packed' : 32, lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_MS, numberOfSignificantValueDigits: 2 });
}

/** The labels one series is kept under; the same bounded values the Prometheus series use. */
export interface SeriesLabels {
  tenant: string;
  prompt: string;
  version: string;
  model: string;
}
export type LabelName = keyof SeriesLabels;

/** Everything the metrics service knows about one series in one minute. */
export interface MinuteBucket {
  requests: { completed: number; blocked: number; failed: number };
  tokens: { input: number; output: number };
  costUsd: number;
  latencyMs: Histogram | null;
  ttftMs: Histogram | null;
  cache: { lookups: number; hits: number };
  verdicts: { pass: number; redact: number; block: number };
  quality: { n: number; sum: number; sumSq: number };
}

export function emptyBucket(): MinuteBucket {
  return {
    requests: { completed: 0, blocked: 0, failed: 0 },
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    latencyMs: null,
    ttftMs: null,
    cache: { lookups: 0, hits: 0 },
    verdicts: { pass: 0, redact: 0, block: 0 },
    quality: { n: 0, sum: 0, sumSq: 0 },
  };
}

/** True when nothing is left in a bucket (a sliding window's group whose minutes all left). */
export function isEmpty(b: MinuteBucket): boolean {
  return (
    requestCount(b) === 0 && tokenCount(b) === 0 && b.cache.lookups === 0 && b.quality.n === 0 && b.verdicts.pass + b.verdicts.redact + b.verdicts.block === 0 &&
    (b.latencyMs?.totalCount ?? 0) === 0 && (b.ttftMs?.totalCount ?? 0) === 0
  );
}

export const requestCount = (b: MinuteBucket): number => b.requests.completed + b.requests.blocked + b.requests.failed;
export const tokenCount = (b: MinuteBucket): number => b.tokens.input + b.tokens.output;

/** The parts of hdr-histogram-js's JsHistogram that `addCounts` uses (public in JS, some private in its types). */
interface CountsAccess {
  bucketCount: number;
  subBucketCount: number;
  unitMagnitude: number;
  totalCount: number;
  minNonZeroValue: number;
  maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
  addToCountAtIndex(index: number, value: number): void;
  setTotalCount(value: number): void;
  establishInternalTackingValues(): void;
}

/**
 * `into += sign × from` for histograms of the same layout, visiting only `from`'s recorded range:
 * reading a packed minute costs a tree walk per index, and its 2,048 indexes are mostly empty
 * (HdrHistogram's own add and subtract visit all of them).
 */
export function addCounts(into: Histogram, from: Histogram, sign: 1 | -1): void {
  const t = into as unknown as CountsAccess;
  const f = from as unknown as CountsAccess;
  if (f.totalCount === 0) return;
  if (t.bucketCount !== f.bucketCount || t.subBucketCount !== f.subBucketCount || t.unitMagnitude !== f.unitMagnitude) {
    if (sign === 1) into.add(from);
    else into.subtract(from);
    return;
  }
  const last = f.countsArrayIndex(f.maxValue);
  let total = 0;
  for (let i = f.countsArrayIndex(f.minNonZeroValue); i <= last; i++) {
    const count = f.getCountAtIndex(i);
    if (count > 0) {
      t.addToCountAtIndex(i, sign * count);
      total += count;
    }
  }
  t.setTotalCount(t.totalCount + sign * total);
  t.establishInternalTackingValues();
}

function mergeHistogram(into: Histogram | null, from: Histogram | null, sign: 1 | -1): Histogram | null {
  if (from === null) return into;
  const target = into ?? newHistogram('dense');
  addCounts(target, from, sign);
  return target;
}

/**
 * Adds `from` into `into` (histograms merged, counters summed) and returns `into`; `sign` -1 takes it
 * out again. `histograms: false` leaves latency and TTFT out (merging a packed histogram is the
 * costly part: windows that only need counts skip it).
 */
export function mergeBucket(into: MinuteBucket, from: MinuteBucket, sign: 1 | -1 = 1, histograms = true): MinuteBucket {
  into.requests.completed += sign * from.requests.completed;
  into.requests.blocked += sign * from.requests.blocked;
  into.requests.failed += sign * from.requests.failed;
  into.tokens.input += sign * from.tokens.input;
  into.tokens.output += sign * from.tokens.output;
  into.costUsd += sign * from.costUsd;
  if (histograms) {
    into.latencyMs = mergeHistogram(into.latencyMs, from.latencyMs, sign);
    into.ttftMs = mergeHistogram(into.ttftMs, from.ttftMs, sign);
  }
  into.cache.lookups += sign * from.cache.lookups;
  into.cache.hits += sign * from.cache.hits;
  into.verdicts.pass += sign * from.verdicts.pass;
  into.verdicts.redact += sign * from.verdicts.redact;
  into.verdicts.block += sign * from.verdicts.block;
  into.quality.n += sign * from.quality.n;
  into.quality.sum += sign * from.quality.sum;
  into.quality.sumSq += sign * from.quality.sumSq;
  return into;
}

function record(histogram: Histogram | null, ms: number): Histogram {
  const h = histogram ?? newHistogram();
  h.recordValue(Math.min(MAX_TRACKED_MS, Math.max(1, Math.round(ms))));
  return h;
}

const SEP = '\u0000';
const keyOf = (l: SeriesLabels): string => l.tenant + SEP + l.prompt + SEP + l.version + SEP + l.model;
function labelsOf(key: string): SeriesLabels {
  const [tenant = '-', prompt = '-', version = '-', model = '-'] = key.split(SEP);
  return { tenant, prompt, version, model };
}

/** One series' bucket in one minute, as this process recorded it so far (what a flush writes). */
export interface SeriesMinute {
  minute: number;
  labels: SeriesLabels;
  bucket: MinuteBucket;
}

/** What changed since the last `takeDirty()`: every series of the touched minutes, and their dead letters. */
export interface DirtyMinutes {
  series: SeriesMinute[];
  deadLetters: { minute: number; count: number }[];
}

/** A bucket another writer (another replica, or this service before a restart) stored, kept beside ours. */
interface StoredSeries {
  labels: SeriesLabels;
  bucket: MinuteBucket;
}

/** A group of series (those sharing `labels`) with one merged bucket per minute. */
export interface SeriesGroup {
  labels: Partial<SeriesLabels>;
  /** Minute start (epoch ms) → merged bucket; minutes without events are absent. */
  minutes: Map<number, MinuteBucket>;
}

/** A group of series with one bucket merged over a whole window. */
export interface GroupWindow {
  labels: Partial<SeriesLabels>;
  bucket: MinuteBucket;
}

export interface GroupQuery {
  /** Labels to group by (e.g. `['tenant', 'prompt']`; `[]` is one group of everything). */
  by: readonly LabelName[];
  /** Keeps only matching series. */
  where?: (labels: SeriesLabels) => boolean;
  /** False: the merged buckets have no latency or TTFT histograms (counts, sums and rates only). Default true. */
  histograms?: boolean;
}

interface SlidingWindow {
  from: number;
  to: number;
  groups: Map<string, GroupWindow>;
}

/**
 * Per-minute roll-up of the events the metrics service consumes, per tenant, prompt, version and
 * model, kept in memory for `retentionMs`. Detectors and the dashboard read it; nothing on the
 * request path does. Events land in the minute of the metrics clock, so past minutes never change.
 *
 * Two layers are read as one: the buckets this process records, and the stored buckets of other
 * writers (`absorb`: other replicas, or this service before a restart), each under its writer's
 * key, so a reload replaces rather than adds. `HistoryPersistence` writes the first and loads the second.
 */
export class MetricsHistory {
  private readonly minutes = new Map<number, Map<string, MinuteBucket>>();
  private readonly deadLetters = new Map<number, number>();
  private readonly stored = new Map<number, Map<string, StoredSeries>>();
  private readonly storedDeadLetters = new Map<number, Map<string, number>>();
  private readonly sliding = new Map<string, SlidingWindow>();
  private readonly dirty = new Set<number>();
  /** The minute last added to `dirty`: one comparison per event instead of a set insert. */
  private lastDirty = Number.NaN;
  /** The newest minute recorded; retention counts back from it. */
  private newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly retentionMs: number = 6 * 3_600_000) {}

  static minuteOf(ms: number): number {
    return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  }

  /** The bucket of one series in the minute of `atMs`, created when missing. */
  bucket(atMs: number, labels: SeriesLabels): MinuteBucket {
    const minute = MetricsHistory.minuteOf(atMs);
    if (minute !== this.lastDirty) this.markDirty(minute);
    let series = this.minutes.get(minute);
    if (!series) {
      series = new Map();
      this.minutes.set(minute, series);
      this.prune(minute);
    }
    const key = keyOf(labels);
    let bucket = series.get(key);
    if (!bucket) {
      bucket = emptyBucket();
      series.set(key, bucket);
    }
    return bucket;
  }

  recordLatency(atMs: number, labels: SeriesLabels, ms: number): void {
    const b = this.bucket(atMs, labels);
    b.latencyMs = record(b.latencyMs, ms);
  }

  recordTtft(atMs: number, labels: SeriesLabels, ms: number): void {
    const b = this.bucket(atMs, labels);
    b.ttftMs = record(b.ttftMs, ms);
  }

  recordDeadLetter(atMs: number): void {
    const minute = MetricsHistory.minuteOf(atMs);
    if (minute !== this.lastDirty) this.markDirty(minute);
    this.deadLetters.set(minute, (this.deadLetters.get(minute) ?? 0) + 1);
  }

  /** Dead letters per minute in [from, to), zero-filled. */
  deadLettersPerMinute(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let m = MetricsHistory.minuteOf(fromMs); m < toMs; m += MINUTE_MS) {
      let n = this.deadLetters.get(m) ?? 0;
      for (const count of this.storedDeadLetters.get(m)?.values() ?? []) n += count;
      out.push(n);
    }
    return out;
  }

  /**
   * This process's buckets of every minute touched since the last call (whole state, not a delta:
   * writing it twice stores the same thing). Events recorded afterwards mark their minute again.
   */
  takeDirty(): DirtyMinutes {
    const out: DirtyMinutes = { series: [], deadLetters: [] };
    for (const minute of this.dirty) {
      for (const [key, bucket] of this.minutes.get(minute) ?? []) out.series.push({ minute, labels: labelsOf(key), bucket });
      const dead = this.deadLetters.get(minute);
      if (dead !== undefined) out.deadLetters.push({ minute, count: dead });
    }
    this.dirty.clear();
    this.lastDirty = Number.NaN;
    return out;
  }

  /** Marks minutes dirty again (a flush that failed). */
  markDirty(minute: number): void {
    this.dirty.add(minute);
    this.lastDirty = minute;
  }

  /**
   * Keeps another writer's stored bucket of one series and minute, replacing what that writer had
   * stored there before (a reload of the same row changes nothing). Minutes past retention are ignored.
   */
  absorb(writer: string, minute: number, labels: SeriesLabels, bucket: MinuteBucket): void {
    if (!this.retains(minute)) return;
    let series = this.stored.get(minute);
    if (!series) this.stored.set(minute, (series = new Map()));
    series.set(writer + SEP + keyOf(labels), { labels, bucket });
    this.changedPast(minute);
  }

  /** Another writer's dead letters in one minute (replacing its earlier count). */
  absorbDeadLetters(writer: string, minute: number, count: number): void {
    if (!this.retains(minute)) return;
    let writers = this.storedDeadLetters.get(minute);
    if (!writers) this.storedDeadLetters.set(minute, (writers = new Map()));
    writers.set(writer, count);
  }

  private retains(minute: number): boolean {
    return minute >= this.newest - this.retentionMs;
  }

  /** A sliding window that already holds `minute` cannot take its old value out: rebuild it next time. */
  private changedPast(minute: number): void {
    for (const [name, window] of this.sliding) if (minute < window.to) this.sliding.delete(name);
  }

  /** Series in [from, to) grouped by `query.by`, each with one merged bucket per minute. */
  groups(query: GroupQuery, fromMs: number, toMs: number): SeriesGroup[] {
    const groups = new Map<string, SeriesGroup>();
    for (let minute = MetricsHistory.minuteOf(fromMs); minute < toMs; minute += MINUTE_MS) {
      this.eachGroupIn(minute, query, (groupKey, labels, bucket) => {
        let group = groups.get(groupKey);
        if (!group) groups.set(groupKey, (group = { labels, minutes: new Map() }));
        group.minutes.set(minute, mergeBucket(group.minutes.get(minute) ?? emptyBucket(), bucket, 1, query.histograms ?? true));
      });
    }
    return [...groups.values()];
  }

  /** `pick(bucket)` per group for every minute in [from, to), zero-filled. */
  perMinute(query: GroupQuery, fromMs: number, toMs: number, pick: (b: MinuteBucket) => number): Map<string, { labels: Partial<SeriesLabels>; values: number[] }> {
    const out = new Map<string, { labels: Partial<SeriesLabels>; values: number[] }>();
    const first = MetricsHistory.minuteOf(fromMs);
    const length = Math.max(0, Math.ceil((toMs - first) / MINUTE_MS));
    for (let minute = first, i = 0; minute < toMs; minute += MINUTE_MS, i++) {
      this.eachGroupIn(minute, query, (groupKey, labels, bucket) => {
        let group = out.get(groupKey);
        if (!group) out.set(groupKey, (group = { labels, values: new Array<number>(length).fill(0) }));
        group.values[i]! += pick(bucket);
      });
    }
    return out;
  }

  /**
   * One bucket per group merged over [from, to). With `slideAs`, the result is kept and the next
   * call with a later window only adds the minutes that entered and takes out those that left, so a
   * three-hour baseline costs two minutes of work per minute (its minutes must be complete).
   */
  window(query: GroupQuery, fromMs: number, toMs: number, slideAs?: string): Map<string, GroupWindow> {
    const from = MetricsHistory.minuteOf(fromMs);
    const to = MetricsHistory.minuteOf(toMs + MINUTE_MS - 1);
    const kept = slideAs === undefined ? undefined : this.sliding.get(slideAs);
    let state: SlidingWindow;
    if (kept && kept.from <= from && kept.to <= to && from < kept.to) {
      state = kept;
      this.addMinutes(state.groups, query, kept.to, to, 1);
      this.addMinutes(state.groups, query, kept.from, from, -1);
      state.from = from;
      state.to = to;
    } else {
      state = { from, to, groups: new Map() };
      this.addMinutes(state.groups, query, from, to, 1);
    }
    if (slideAs !== undefined) this.sliding.set(slideAs, state);
    return state.groups;
  }

  private addMinutes(groups: Map<string, GroupWindow>, query: GroupQuery, from: number, to: number, sign: 1 | -1): void {
    for (let minute = from; minute < to; minute += MINUTE_MS) {
      this.eachGroupIn(minute, query, (groupKey, labels, bucket) => {
        let group = groups.get(groupKey);
        if (!group) groups.set(groupKey, (group = { labels, bucket: emptyBucket() }));
        mergeBucket(group.bucket, bucket, sign, query.histograms ?? true);
        if (sign === -1 && isEmpty(group.bucket)) groups.delete(groupKey);
      });
    }
  }

  private eachGroupIn(minute: number, query: GroupQuery, visit: (groupKey: string, labels: Partial<SeriesLabels>, bucket: MinuteBucket) => void): void {
    const one = (labels: SeriesLabels, bucket: MinuteBucket): void => {
      if (query.where && !query.where(labels)) return;
      const picked: Partial<SeriesLabels> = {};
      for (const name of query.by) picked[name] = labels[name];
      visit(query.by.map((name) => labels[name]).join(SEP), picked, bucket);
    };
    for (const [key, bucket] of this.minutes.get(minute) ?? []) one(labelsOf(key), bucket);
    for (const { labels, bucket } of this.stored.get(minute)?.values() ?? []) one(labels, bucket);
  }

  private prune(newestMinute: number): void {
    if (newestMinute <= this.newest) return;
    this.newest = newestMinute;
    const oldest = newestMinute - this.retentionMs;
    for (const minute of this.minutes.keys()) if (minute < oldest) this.minutes.delete(minute);
    for (const minute of this.deadLetters.keys()) if (minute < oldest) this.deadLetters.delete(minute);
    for (const minute of this.stored.keys()) if (minute < oldest) this.stored.delete(minute);
    for (const minute of this.storedDeadLetters.keys()) if (minute < oldest) this.storedDeadLetters.delete(minute);
    // A window reaching past retention can no longer take its oldest minutes out: rebuild it next time.
    for (const [name, window] of this.sliding) if (window.from < oldest) this.sliding.delete(name);
  }
}
