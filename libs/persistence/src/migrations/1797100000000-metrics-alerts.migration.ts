import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The metrics service's alert state, shared by its replicas and kept across restarts: one row per
 * alert (key and firing time), at most one open row per key (a partial unique index), so firing is
 * claimed with `INSERT ... ON CONFLICT DO NOTHING` and resolving with a conditional `UPDATE ... RETURNING`.
 */
export class MetricsAlerts1797100000000 implements MigrationInterface {
  name = 'MetricsAlerts1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metrics_alerts (
        key text NOT NULL,
        fired_at timestamptz NOT NULL,
        kind text NOT NULL,
        severity text NOT NULL,
        labels jsonb NOT NULL,
        message text NOT NULL,
        value double precision NOT NULL,
        baseline double precision,
        threshold double precision NOT NULL,
        last_value double precision NOT NULL,
        last_seen_at timestamptz NOT NULL,
        resolved_at timestamptz,
        CONSTRAINT metrics_alerts_pkey PRIMARY KEY (key, fired_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX metrics_alerts_open_key ON metrics_alerts (key) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX metrics_alerts_resolved_idx ON metrics_alerts (resolved_at) WHERE resolved_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS metrics_alerts`);
  }
}
