import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The exact-match answer cache shared by every cache replica; rows live until `expires_at` and a prune. */
export class CacheEntries1764972000000 implements MigrationInterface {
  name = 'CacheEntries1764972000000';

  async up(q: QueryRunner): Promise<void> {
    // Scope columns are null only when the writer gave no scope; the key already hashes the scope in.
    await q.query(`
      CREATE TABLE cache_entries (
        key text PRIMARY KEY,
        tenant_id text,
        prompt_name text,
        prompt_version integer,
        model text,
        completion jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX cache_entries_expires_idx ON cache_entries (expires_at)`);
    await q.query(`CREATE INDEX cache_entries_scope_idx ON cache_entries (tenant_id, prompt_name, prompt_version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS cache_entries`);
  }
}
