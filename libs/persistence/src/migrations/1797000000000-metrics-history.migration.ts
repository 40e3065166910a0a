import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The metrics service's per-minute roll-up: one row per writer (a metrics replica's run), minute and
 * series, holding that writer's whole state of the minute, so a replayed write changes nothing and
 * readers sum the writers. Latency and TTFT are HdrHistograms (compressed, base64), mergeable by adding.
 */
export class MetricsHistory1797000000000 implements MigrationInterface {
  name = 'MetricsHistory1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE metrics_minutes (
        minute timestamptz NOT NULL,
        writer text NOT NULL,
        tenant text NOT NULL,
        prompt text NOT NULL,
        version text NOT NULL,
        model text NOT NULL,
        requests_completed integer NOT NULL DEFAULT 0,
        requests_blocked integer NOT NULL DEFAULT 0,
        requests_failed integer NOT NULL DEFAULT 0,
        input_tokens bigint NOT NULL DEFAULT 0,
        output_tokens bigint NOT NULL DEFAULT 0,
        cost_usd double precision NOT NULL DEFAULT 0,
        latency_ms text,
        ttft_ms text,
        cache_lookups integer NOT NULL DEFAULT 0,
        cache_hits integer NOT NULL DEFAULT 0,
        verdicts_pass integer NOT NULL DEFAULT 0,
        verdicts_redact integer NOT NULL DEFAULT 0,
        verdicts_block integer NOT NULL DEFAULT 0,
        quality_n integer NOT NULL DEFAULT 0,
        quality_sum double precision NOT NULL DEFAULT 0,
        quality_sum_sq double precision NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT metrics_minutes_pkey PRIMARY KEY (minute, writer, tenant, prompt, version, model)
      )`);
    await q.query(`CREATE INDEX metrics_minutes_updated_idx ON metrics_minutes (updated_at)`);
    await q.query(`
      CREATE TABLE metrics_dead_letters (
        minute timestamptz NOT NULL,
        writer text NOT NULL,
        count integer NOT NULL CHECK (count >= 0),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT metrics_dead_letters_pkey PRIMARY KEY (minute, writer)
      )`);
    await q.query(`CREATE INDEX metrics_dead_letters_updated_idx ON metrics_dead_letters (updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS metrics_dead_letters`);
    await q.query(`DROP TABLE IF EXISTS metrics_minutes`);
  }
}
