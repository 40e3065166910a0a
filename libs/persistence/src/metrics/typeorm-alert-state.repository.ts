import type { DataSource } from 'typeorm';
import type { AlertStateRepository, AlertToFire, StoredAlert } from './alert-state.repository.js';

const COLUMNS = 'key, fired_at, kind, severity, labels, message, value, baseline, threshold, last_value, last_seen_at, resolved_at';

interface Raw {
  key: string;
  fired_at: unknown;
  kind: string;
  severity: string;
  labels: unknown;
  message: string;
  value: unknown;
  baseline: unknown;
  threshold: unknown;
  last_value: unknown;
  last_seen_at: unknown;
  resolved_at: unknown;
}

const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

function alertOf(r: Raw): StoredAlert {
  return {
    key: r.key,
    kind: r.kind,
    severity: r.severity,
    labels: (typeof r.labels === 'string' ? JSON.parse(r.labels) : r.labels) as Record<string, string>,
    message: r.message,
    value: Number(r.value),
    baseline: r.baseline === null ? null : Number(r.baseline),
    threshold: Number(r.threshold),
    firedAt: date(r.fired_at),
    lastValue: Number(r.last_value),
    lastSeenAt: date(r.last_seen_at),
    resolvedAt: r.resolved_at === null ? null : date(r.resolved_at),
  };
}

/** The metrics service's alert state in Postgres (or PGlite): `metrics_alerts`. */
export class TypeormAlertStateRepository implements AlertStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  async claimFiring(a: AlertToFire): Promise<boolean> {
    // The partial unique index on open keys makes the insert the claim: a second replica's insert does
    // nothing. No conflict target, so a (key, fired_at) clash with an already resolved alert loses the same way.
    const rows = (await this.dataSource.query(
      `INSERT INTO metrics_alerts (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $7, $2, NULL)
       ON CONFLICT DO NOTHING RETURNING key`,
      [a.key, a.firedAt, a.kind, a.severity, JSON.stringify(a.labels), a.message, a.value, a.baseline, a.threshold],
    )) as unknown[];
    return rows.length === 1;
  }

  async observe(key: string, value: number, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE metrics_alerts SET last_value = $2, last_seen_at = $3 WHERE key = $1 AND resolved_at IS NULL`, [key, value, at]);
  }

  async claimResolve(key: string, at: Date): Promise<StoredAlert | null> {
    // Row-locked: of two concurrent updates, the second re-checks `resolved_at IS NULL` and matches nothing.
    const rows = (await this.dataSource.query(`UPDATE metrics_alerts SET resolved_at = $2 WHERE key = $1 AND resolved_at IS NULL RETURNING ${COLUMNS}`, [key, at])) as
      | Raw[]
      | [Raw[], number];
    const list = Array.isArray(rows[0]) ? (rows[0] as Raw[]) : (rows as Raw[]);
    return list[0] ? alertOf(list[0]) : null;
  }

  async listOpen(): Promise<StoredAlert[]> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM metrics_alerts WHERE resolved_at IS NULL ORDER BY fired_at, key`)) as Raw[];
    return rows.map(alertOf);
  }

  async listResolved(limit: number): Promise<StoredAlert[]> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM metrics_alerts WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, key LIMIT $1`, [limit])) as Raw[];
    return rows.map(alertOf);
  }

  async deleteResolvedBefore(before: Date): Promise<number> {
    const [row] = (await this.dataSource.query(`WITH d AS (DELETE FROM metrics_alerts WHERE resolved_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`, [before])) as { n: number }[];
    return Number(row?.n ?? 0);
  }
}
