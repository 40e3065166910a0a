import type { DeadLetterMinuteRow, MetricsHistoryRepository, MetricsMinuteRow, StoredMetricsHistory } from '../metrics/metrics-history.repository.js';

/** The metrics roll-up in memory, for unit tests; the same contract suite as `TypeormMetricsHistoryRepository`. */
export class InMemoryMetricsHistoryRepository implements MetricsHistoryRepository {
  private readonly rows = new Map<string, { row: MetricsMinuteRow; changed: number }>();
  private readonly dead = new Map<string, { row: DeadLetterMinuteRow; changed: number }>();
  private lastChange = 0;

  /** The store's clock: strictly increasing, like `clock_timestamp()` between two writes. */
  private tick(): number {
    this.lastChange = Math.max(Date.now(), this.lastChange + 1);
    return this.lastChange;
  }

  async write(rows: readonly MetricsMinuteRow[], deadLetters: readonly DeadLetterMinuteRow[]): Promise<void> {
    for (const row of rows) {
      const key = JSON.stringify([row.minute.getTime(), row.writer, row.tenant, row.prompt, row.version, row.model]);
      this.rows.set(key, { row: structuredClone(row), changed: this.tick() });
    }
    for (const row of deadLetters) this.dead.set(JSON.stringify([row.minute.getTime(), row.writer]), { row: structuredClone(row), changed: this.tick() });
  }

  async load(options: { since: Date; changedSince?: Date }): Promise<StoredMetricsHistory> {
    const keep = (e: { row: { minute: Date }; changed: number }) =>
      e.row.minute >= options.since && (options.changedSince === undefined || e.changed >= options.changedSince.getTime());
    const rows = [...this.rows.values()].filter(keep);
    const dead = [...this.dead.values()].filter(keep);
    const changes = [...rows, ...dead].map((e) => e.changed);
    const byMinute = (a: { minute: Date }, b: { minute: Date }) => a.minute.getTime() - b.minute.getTime();
    return {
      rows: rows.map((e) => structuredClone(e.row)).sort(byMinute),
      deadLetters: dead.map((e) => structuredClone(e.row)).sort(byMinute),
      latestChange: changes.length === 0 ? null : new Date(changes.reduce((a, b) => Math.max(a, b))),
    };
  }

  async deleteBefore(before: Date): Promise<number> {
    let deleted = 0;
    for (const map of [this.rows, this.dead] as Map<string, { row: { minute: Date } }>[]) {
      for (const [key, e] of map) if (e.row.minute < before) deleted += Number(map.delete(key));
    }
    return deleted;
  }
}
