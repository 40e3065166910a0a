import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenant administration: allowed prompts per tenant, the change log every ingress replica polls (a
 * revoked key is refused everywhere within the poll interval), token buckets (requests per second
 * with bursts) and usage windows (tokens per minute, USD per day and month) shared by replicas.
 */
export class TenantAdmin1797200000000 implements MigrationInterface {
  name = 'TenantAdmin1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN allowed_prompts jsonb`);
    await q.query(`
      CREATE TABLE tenant_changes (
        seq bigserial PRIMARY KEY,
        tenant_id text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE tenant_buckets (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        bucket text NOT NULL,
        tokens double precision NOT NULL,
        granted integer NOT NULL,
        updated_ms bigint NOT NULL,
        CONSTRAINT tenant_buckets_pkey PRIMARY KEY (tenant_id, bucket)
      )`);
    // Usage comes from ballast.usage.v1, which may name tenants unknown here: no foreign key.
    await q.query(`
      CREATE TABLE tenant_usage_windows (
        tenant_id text NOT NULL,
        metric text NOT NULL,
        window_start timestamptz NOT NULL,
        amount double precision NOT NULL,
        CONSTRAINT tenant_usage_windows_pkey PRIMARY KEY (tenant_id, metric, window_start)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tenant_usage_windows`);
    await q.query(`DROP TABLE IF EXISTS tenant_buckets`);
    await q.query(`DROP TABLE IF EXISTS tenant_changes`);
    await q.query(`ALTER TABLE tenants DROP COLUMN IF EXISTS allowed_prompts`);
  }
}
