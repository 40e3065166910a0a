/**
 * Seeds a Postgres registry for distributed mode: migrations, tenant `demo` with the API key, and
 * every prompt in the prompts folder published and labelled `production`. Safe to run again: it
 * changes nothing that is already there (see `seedDefaults`).
 *
 *   DATABASE_URL=postgres://... [BALLAST_API_KEY=dev-key] [BALLAST_PROMPTS_DIR=prompts] npx ballast seed
 */
import type { Command } from 'commander';
import { CliError, action, oneLine } from '../cli.js';

const ENVIRONMENT = `
Environment:
  DATABASE_URL         postgres://user:password@host:port/database (required)
  BALLAST_API_KEY      the demo tenant's API key (default dev-key)
  BALLAST_PROMPTS_DIR  the prompts to publish (default prompts)`;

export function register(program: Command): void {
  program
    .command('seed')
    .summary('seed a Postgres registry: tenant demo, its API key, prompts/*.yaml')
    .description('Applies the migrations to DATABASE_URL, creates tenant demo with BALLAST_API_KEY, and publishes every prompt file labelled production. Safe to run again.')
    .addHelpText('after', ENVIRONMENT)
    .action(action(seed));
}

async function seed(): Promise<number> {
  const { ConfigError, loadConfig, url } = await import('#config');
  const { loadPromptFiles, openDataSource, seedDefaults } = await import('#persistence');
  const { z } = await import('zod');
  let config;
  try {
    config = loadConfig(
      z.object({
        DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }),
        BALLAST_API_KEY: z.string().min(1).default('dev-key'),
        BALLAST_PROMPTS_DIR: z.string().min(1).default('prompts'),
      }),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${error.message} (see 'ballast seed --help')`);
    throw error;
  }
  const prompts = (await loadPromptFiles(config.BALLAST_PROMPTS_DIR)).map((f) => f.definition);
  let dataSource;
  try {
    dataSource = await openDataSource({ url: config.DATABASE_URL, poolSize: 2, applicationName: 'ballast-seed' });
  } catch (error) {
    throw new CliError(`cannot open the database at ${withoutCredentials(config.DATABASE_URL)}: ${oneLine(error)}`);
  }
  try {
    const result = await seedDefaults(dataSource, { apiKey: config.BALLAST_API_KEY, prompts });
    const summary = result.prompts.map((p) => `${p.name} v${p.version}${p.created ? ' (new)' : ''}${p.labelled ? ' -> production' : ''}`).join(', ');
    process.stdout.write(`seeded tenant ${result.tenantId}; prompts: ${summary || 'none'}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

// The URL's password must not reach a terminal log.
function withoutCredentials(raw: string): string {
  const parsed = new URL(raw);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
