import hdr from 'hdr-histogram-js';
import type { MetricsHistoryRepository, MetricsMinuteRow } from '#persistence';
import { MAX_TRACKED_MS, MetricsHistory, type Histogram, type MinuteBucket, type SeriesMinute } from './metrics-history.js';

/** A write becomes visible at its commit, a little after its `updated_at`: re-read this much before the last change seen. */
const VISIBILITY_MARGIN_MS = 5_000;

export interface HistoryPersistenceOptions {
  history: MetricsHistory;
  repository: MetricsHistoryRepository;
  /** This run's writer id: unique per process start, so a restart never overwrites the rows it reloads. */
  writer: string;
  now: () => number;
  /** How far back `load()` reads (the in-memory window). */
  memoryMs: number;
  /** Minutes older than this are deleted by `sweep()`. */
  retentionMs: number;
}

const encode = (h: Histogram | null): string | null => (h && h.totalCount > 0 ? hdr.encodeIntoCompressedBase64(h) : null);
const decode = (s: string | null): Histogram | null => (s === null ? null : hdr.decodeFromCompressedBase64(s, 'packed', false, MAX_TRACKED_MS));

/** One series-minute as this writer's row. */
export function toRow(writer: string, s: SeriesMinute): MetricsMinuteRow {
  const b = s.bucket;
  return {
    minute: new Date(s.minute),
    writer,
    ...s.labels,
    requests: { ...b.requests },
    tokens: { ...b.tokens },
    costUsd: b.costUsd,
    latencyMs: encode(b.latencyMs),
    ttftMs: encode(b.ttftMs),
    cache: { ...b.cache },
    verdicts: { ...b.verdicts },
    quality: { ...b.quality },
  };
}

/** A stored row back as a bucket. */
export function fromRow(r: MetricsMinuteRow): MinuteBucket {
  return {
    requests: { ...r.requests },
    tokens: { ...r.tokens },
    costUsd: r.costUsd,
    latencyMs: decode(r.latencyMs),
    ttftMs: decode(r.ttftMs),
    cache: { ...r.cache },
    verdicts: { ...r.verdicts },
    quality: { ...r.quality },
  };
}

/**
 * Keeps the per-minute history in Postgres (PGlite in embedded mode): `flush()` writes the minutes
 * this process touched (its whole state of each, so a retried flush is harmless), `load()` and
 * `refresh()` bring in what other writers stored (other replicas; this service before a restart),
 * and `sweep()` deletes minutes past retention. Never on the request path: `HistoryScheduler` runs them.
 */
export class HistoryPersistence {
  private latestChange: Date | null = null;

  constructor(private readonly options: HistoryPersistenceOptions) {}

  get writer(): string {
    return this.options.writer;
  }

  /** Reads every stored minute of the in-memory window; returns the rows absorbed. */
  async load(): Promise<number> {
    return this.absorb(undefined);
  }

  /** Reads what other writers stored since the last load or refresh. */
  async refresh(): Promise<number> {
    return this.absorb(this.latestChange === null ? undefined : new Date(this.latestChange.getTime() - VISIBILITY_MARGIN_MS));
  }

  /** Writes every minute touched since the last flush; on failure they stay due for the next one. */
  async flush(): Promise<number> {
    const { history, repository, writer } = this.options;
    const dirty = history.takeDirty();
    if (dirty.series.length === 0 && dirty.deadLetters.length === 0) return 0;
    const rows = dirty.series.map((s) => toRow(writer, s));
    const deadLetters = dirty.deadLetters.map((d) => ({ minute: new Date(d.minute), writer, count: d.count }));
    try {
      await repository.write(rows, deadLetters);
    } catch (error) {
      for (const m of new Set([...dirty.series.map((s) => s.minute), ...dirty.deadLetters.map((d) => d.minute)])) history.markDirty(m);
      throw error;
    }
    return rows.length + deadLetters.length;
  }

  /** Deletes stored minutes older than the retention; returns the rows deleted. */
  async sweep(): Promise<number> {
    return this.options.repository.deleteBefore(new Date(MetricsHistory.minuteOf(this.options.now() - this.options.retentionMs)));
  }

  private async absorb(changedSince: Date | undefined): Promise<number> {
    const { history, repository, writer, now, memoryMs } = this.options;
    const since = new Date(MetricsHistory.minuteOf(now() - memoryMs));
    const stored = await repository.load({ since, ...(changedSince ? { changedSince } : {}) });
    let absorbed = 0;
    for (const r of stored.rows) {
      if (r.writer === writer) continue;
      history.absorb(r.writer, r.minute.getTime(), { tenant: r.tenant, prompt: r.prompt, version: r.version, model: r.model }, fromRow(r));
      absorbed++;
    }
    for (const d of stored.deadLetters) {
      if (d.writer === writer) continue;
      history.absorbDeadLetters(d.writer, d.minute.getTime(), d.count);
      absorbed++;
    }
    if (stored.latestChange && (this.latestChange === null || stored.latestChange > this.latestChange)) this.latestChange = stored.latestChange;
    return absorbed;
  }
}
