/** One writer's whole state of one series in one minute (see `MetricsHistoryRepository`). */
export interface MetricsMinuteRow {
  /** Minute start. */
  minute: Date;
  /** Who recorded it: one metrics replica's run. Readers sum the rows of every writer. */
  writer: string;
  tenant: string;
  prompt: string;
  version: string;
  model: string;
  requests: { completed: number; blocked: number; failed: number };
  tokens: { input: number; output: number };
  costUsd: number;
  /** HdrHistograms of milliseconds, compressed and base64-encoded; null when nothing was recorded. */
  latencyMs: string | null;
  ttftMs: string | null;
  cache: { lookups: number; hits: number };
  verdicts: { pass: number; redact: number; block: number };
  quality: { n: number; sum: number; sumSq: number };
}

export interface DeadLetterMinuteRow {
  minute: Date;
  writer: string;
  count: number;
}

export interface StoredMetricsHistory {
  rows: MetricsMinuteRow[];
  deadLetters: DeadLetterMinuteRow[];
  /** The store's time of the newest write returned (pass it back as `changedSince`); null when nothing came back. */
  latestChange: Date | null;
}

/**
 * The metrics service's per-minute roll-up. A write replaces the writer's row for that minute and
 * series (it carries the whole state, never a delta), so replaying a write is harmless; readers add
 * up the rows of all writers.
 */
export interface MetricsHistoryRepository {
  write(rows: readonly MetricsMinuteRow[], deadLetters: readonly DeadLetterMinuteRow[]): Promise<void>;
  /** Rows of minutes at or after `since`; with `changedSince`, only rows written at or after it (store time). */
  load(options: { since: Date; changedSince?: Date }): Promise<StoredMetricsHistory>;
  /** Deletes every minute before `before`; returns the rows deleted. */
  deleteBefore(before: Date): Promise<number>;
}
