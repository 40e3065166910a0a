import { join } from 'node:path';
import {
  enableVector,
  hasVector,
  loadPromptFiles,
  runMigrations,
  seedDefaults,
  TypeormPromptRegistryRepository,
  TypeormTenantRepository,
} from '#persistence';
import type { DataSource } from 'typeorm';

const PROMPTS_DIR = join(import.meta.dirname, '../../../prompts');

/** Migrations, seed and extension checks that every Postgres the registry runs on must pass. */
export function describeDataSourceContract(name: string, dataSource: () => DataSource, expectVector?: boolean): void {
  describe(`data source: ${name}`, () => {
    it('has applied every migration, and running them again changes nothing', async () => {
      expect(await runMigrations(dataSource())).toEqual([]);
      const tables: { table_name: string }[] = await dataSource().query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['api_keys', 'label_events', 'processed_messages', 'prompt_labels', 'prompt_versions', 'prompts', 'tenants']),
      );
    });

    it('refuses to change a published version or the label history, whoever asks', async () => {
      const [row]: { name: string; version: number; content_hash: string }[] = await dataSource().query(
        `SELECT name, version, content_hash FROM prompt_versions LIMIT 1`,
      );
      if (!row) throw new Error('the registry contract should have published versions before this test');
      await expect(dataSource().query(`UPDATE prompt_versions SET model = 'other' WHERE name = $1`, [row.name])).rejects.toThrow(
        /UPDATE on prompt_versions is not allowed/,
      );
      await expect(dataSource().query(`DELETE FROM label_events`)).rejects.toThrow(/DELETE on label_events is not allowed/);
      await expect(
        dataSource().query(
          `INSERT INTO prompt_versions (name, version, content_hash, template, model, params, guardrail_policy, cache_policy, judge_policy, created_by)
           VALUES ($1, $2, $3, '{}', 'm', '{}', '{}', '{}', '{}', 'x')`,
          [row.name, row.version + 1000, row.content_hash],
        ),
      ).rejects.toThrow(/prompt_versions_name_content_hash_key/);
    });

    it('seeds tenant demo and a production support-answer, idempotently', async () => {
      const apiKey = 'bk_demo_0123456789abcdef';
      const first = await seedDefaults(dataSource(), { apiKey });
      const again = await seedDefaults(dataSource(), { apiKey });
      expect(again.prompts).toEqual([{ name: 'support-answer', version: first.prompts[0]?.version, created: false, labelled: false }]);
      expect((await new TypeormTenantRepository(dataSource()).findTenantByApiKey(apiKey))?.id).toBe('demo');
      const resolved = await new TypeormPromptRegistryRepository(dataSource()).resolve('support-answer');
      expect(resolved).toMatchObject({ model: 'sim-1', params: { temperature: 0, maxTokens: 256 }, label: 'production' });
      expect(resolved?.policies.judge.sampleRate).toBe(1);
    });

    it('hardening 5: seeding with a new key revokes the key seeded before it', async () => {
      const tenants = new TypeormTenantRepository(dataSource());
      const [old, replacement] = ['bk_seed_old_0123456789', 'bk_seed_new_0123456789'];
      await seedDefaults(dataSource(), { apiKey: old });
      await seedDefaults(dataSource(), { apiKey: replacement });
      expect(await tenants.findTenantByApiKey(old)).toBeNull();
      expect((await tenants.findTenantByApiKey(replacement))?.id).toBe('demo');
      await seedDefaults(dataSource(), { apiKey: 'bk_demo_0123456789abcdef' });
    });

    it('seeds the prompts folder too, leaving an existing production label where it is', async () => {
      const registry = new TypeormPromptRegistryRepository(dataSource());
      const files = await loadPromptFiles(PROMPTS_DIR);
      const result = await seedDefaults(dataSource(), { apiKey: 'bk_demo_0123456789abcdef', prompts: files.map((f) => f.definition) });
      expect(result.prompts.find((p) => p.name === 'support-answer')).toMatchObject({ created: false, labelled: false });
      expect((await registry.resolve('extract-contact'))?.responseFormat?.schema).toMatchObject({ required: ['name', 'email'] });
    });

    it(`reports whether pgvector is available${expectVector === undefined ? '' : ` (expected: ${expectVector})`}`, async () => {
      const available = await hasVector(dataSource());
      if (expectVector !== undefined) expect(available).toBe(expectVector);
      expect(await enableVector(dataSource())).toBe(available);
      if (available) {
        const [row]: { d: number }[] = await dataSource().query(`SELECT '[1,2,3]'::vector <-> '[1,2,5]'::vector AS d`);
        expect(row?.d).toBe(2);
      }
    });
  });
}
