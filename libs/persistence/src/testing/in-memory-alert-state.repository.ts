import type { AlertStateRepository, AlertToFire, StoredAlert } from '../metrics/alert-state.repository.js';

/**
 * Alert state in memory: the unit tests' fake, and the metrics service's per-process state when it
 * has no database. Passes the same contract suite as `TypeormAlertStateRepository`.
 */
export class InMemoryAlertStateRepository implements AlertStateRepository {
  private readonly open = new Map<string, StoredAlert>();
  private resolved: StoredAlert[] = [];

  constructor(private readonly maxResolved = 200) {}

  async claimFiring(alert: AlertToFire): Promise<boolean> {
    if (this.open.has(alert.key)) return false;
    // One row per key and firing time, as the table's primary key.
    if (this.resolved.some((a) => a.key === alert.key && a.firedAt.getTime() === alert.firedAt.getTime())) return false;
    this.open.set(alert.key, { ...structuredClone(alert), lastValue: alert.value, lastSeenAt: alert.firedAt, resolvedAt: null });
    return true;
  }

  async observe(key: string, value: number, at: Date): Promise<void> {
    const alert = this.open.get(key);
    if (alert) Object.assign(alert, { lastValue: value, lastSeenAt: new Date(at) });
  }

  async claimResolve(key: string, at: Date): Promise<StoredAlert | null> {
    const alert = this.open.get(key);
    if (!alert) return null;
    this.open.delete(key);
    const done = { ...alert, resolvedAt: new Date(at) };
    this.resolved.unshift(done);
    this.resolved.splice(this.maxResolved);
    return structuredClone(done);
  }

  async listOpen(): Promise<StoredAlert[]> {
    return [...this.open.values()].map((a) => structuredClone(a)).sort((a, b) => a.firedAt.getTime() - b.firedAt.getTime() || a.key.localeCompare(b.key));
  }

  async listResolved(limit: number): Promise<StoredAlert[]> {
    return [...this.resolved]
      .sort((a, b) => b.resolvedAt!.getTime() - a.resolvedAt!.getTime())
      .slice(0, limit)
      .map((a) => structuredClone(a));
  }

  async deleteResolvedBefore(before: Date): Promise<number> {
    const kept = this.resolved.filter((a) => a.resolvedAt! >= before);
    const deleted = this.resolved.length - kept.length;
    this.resolved = kept;
    return deleted;
  }
}
