import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Label history records canary changes and gate overrides; published versions can no longer be
 * deleted or truncated either (updates were already refused), nor the label history truncated.
 */
export class RegistryCanary1796500000000 implements MigrationInterface {
  name = 'RegistryCanary1796500000000';

  async up(q: QueryRunner): Promise<void> {
    // Constant defaults: Postgres adds these columns without rewriting rows, so no row trigger fires.
    await q.query(`
      ALTER TABLE label_events
        ADD COLUMN kind text NOT NULL DEFAULT 'move'
          CONSTRAINT label_events_kind_check CHECK (kind IN ('move', 'canary_start', 'canary_finish', 'rollback')),
        ADD COLUMN traffic jsonb,
        ADD COLUMN forced boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TRIGGER prompt_versions_undeletable BEFORE DELETE ON prompt_versions
        FOR EACH ROW EXECUTE FUNCTION ballast_reject_change()`);
    await q.query(`
      CREATE TRIGGER prompt_versions_untruncatable BEFORE TRUNCATE ON prompt_versions
        FOR EACH STATEMENT EXECUTE FUNCTION ballast_reject_change()`);
    await q.query(`
      CREATE TRIGGER label_events_untruncatable BEFORE TRUNCATE ON label_events
        FOR EACH STATEMENT EXECUTE FUNCTION ballast_reject_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS label_events_untruncatable ON label_events`);
    await q.query(`DROP TRIGGER IF EXISTS prompt_versions_untruncatable ON prompt_versions`);
    await q.query(`DROP TRIGGER IF EXISTS prompt_versions_undeletable ON prompt_versions`);
    await q.query(`ALTER TABLE label_events DROP COLUMN forced, DROP COLUMN traffic, DROP COLUMN kind`);
  }
}
