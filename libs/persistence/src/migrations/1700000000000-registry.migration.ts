import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Prompt registry, tenants and API keys, idempotency records. No extensions: runs on any Postgres 13+. */
export class Registry1700000000000 implements MigrationInterface {
  name = 'Registry1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE prompts (
        name text PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE prompt_versions (
        name text NOT NULL REFERENCES prompts(name),
        version integer NOT NULL CHECK (version > 0),
        content_hash text NOT NULL,
        template jsonb NOT NULL,
        model text NOT NULL,
        params jsonb NOT NULL,
        response_format jsonb,
        guardrail_policy jsonb NOT NULL,
        cache_policy jsonb NOT NULL,
        judge_policy jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        source_commit text,
        CONSTRAINT prompt_versions_pkey PRIMARY KEY (name, version),
        CONSTRAINT prompt_versions_name_content_hash_key UNIQUE (name, content_hash)
      )`);
    await q.query(`
      CREATE TABLE prompt_labels (
        name text NOT NULL,
        label text NOT NULL,
        version integer NOT NULL,
        traffic jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT prompt_labels_pkey PRIMARY KEY (name, label),
        CONSTRAINT prompt_labels_version_fkey FOREIGN KEY (name, version) REFERENCES prompt_versions(name, version)
      )`);
    await q.query(`
      CREATE TABLE label_events (
        id bigserial PRIMARY KEY,
        name text NOT NULL REFERENCES prompts(name),
        label text NOT NULL,
        from_version integer,
        to_version integer NOT NULL,
        actor text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX label_events_name_idx ON label_events (name, id)`);
    // The database itself keeps versions immutable and label history append-only.
    await q.query(`
      CREATE FUNCTION ballast_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% on % is not allowed: rows are immutable', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$`);
    await q.query(`
      CREATE TRIGGER prompt_versions_immutable BEFORE UPDATE ON prompt_versions
        FOR EACH ROW EXECUTE FUNCTION ballast_reject_change()`);
    await q.query(`
      CREATE TRIGGER label_events_append_only BEFORE UPDATE OR DELETE ON label_events
        FOR EACH ROW EXECUTE FUNCTION ballast_reject_change()`);
    await q.query(`
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        allowed_models jsonb NOT NULL DEFAULT '[]',
        quotas jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key_hash text NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id)`);
    await q.query(`
      CREATE TABLE processed_messages (
        stage text NOT NULL,
        request_id text NOT NULL,
        outcome jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT processed_messages_pkey PRIMARY KEY (stage, request_id)
      )`);
    await q.query(`CREATE INDEX processed_messages_created_idx ON processed_messages (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['processed_messages', 'api_keys', 'tenants', 'label_events', 'prompt_labels', 'prompt_versions', 'prompts']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS ballast_reject_change()`);
  }
}
