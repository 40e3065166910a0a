/**
 * Seeds a Postgres registry for distributed mode: migrations, tenant `demo` with the API key, and
 * every prompt in the prompts folder published and labelled `production`. Safe to run again: it
 * changes nothing that is already there (see `seedDefaults`).
 *
 *   DATABASE_URL=postgres://... [BALLAST_API_KEY=dev-key] [BALLAST_PROMPTS_DIR=prompts] npx ballast seed
 */
import { loadConfigOrExit, url } from '#config';
import { loadPromptFiles, openDataSource, seedDefaults } from '#persistence';
import { z } from 'zod';

export async function run(): Promise<number> {
  const config = loadConfigOrExit(
    z.object({
      DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
      BALLAST_API_KEY: z.string().min(1).default('dev-key'),
      BALLAST_PROMPTS_DIR: z.string().min(1).default('prompts'),
    }),
  );
  const dataSource = await openDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'ballast-seed' });
  try {
    const prompts = (await loadPromptFiles(config.BALLAST_PROMPTS_DIR)).map((f) => f.definition);
    const result = await seedDefaults(dataSource, { apiKey: config.BALLAST_API_KEY, prompts });
    const summary = result.prompts.map((p) => `${p.name} v${p.version}${p.created ? ' (new)' : ''}${p.labelled ? ' -> production' : ''}`).join(', ');
    process.stdout.write(`seeded tenant ${result.tenantId}; prompts: ${summary || 'none'}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}
