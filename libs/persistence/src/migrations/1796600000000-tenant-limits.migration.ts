import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API key labels (the seeded key is `seed`, so a new BALLAST_API_KEY replaces it) and per-tenant rate-limit windows. */
export class TenantLimits1796600000000 implements MigrationInterface {
  name = 'TenantLimits1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN label text`);
    // Until now only seeding created keys for tenant demo: mark them, so the next seed replaces them.
    await q.query(`UPDATE api_keys SET label = 'seed' WHERE tenant_id = 'demo'`);
    await q.query(`CREATE INDEX api_keys_tenant_label_idx ON api_keys (tenant_id, label) WHERE revoked_at IS NULL`);
    // One row per tenant, quota and window: ingress replicas lease blocks of the budget from `used`.
    await q.query(`
      CREATE TABLE tenant_quota_windows (
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        quota text NOT NULL,
        window_start timestamptz NOT NULL,
        used integer NOT NULL CHECK (used >= 0),
        granted integer NOT NULL CHECK (granted >= 0),
        CONSTRAINT tenant_quota_windows_pkey PRIMARY KEY (tenant_id, quota, window_start)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS tenant_quota_windows`);
    await q.query(`DROP INDEX IF EXISTS api_keys_tenant_label_idx`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS label`);
  }
}
