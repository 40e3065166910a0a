/**
 * Applies the registry's pending migrations to DATABASE_URL and nothing else: what the Helm chart's
 * pre-install/pre-upgrade Job runs. `runMigrations` holds a Postgres advisory lock for the whole run,
 * so a second `ballast migrate` (or a service starting at the same time) waits for the first and then
 * finds nothing left to do.
 *
 *   DATABASE_URL=postgres://... npx ballast migrate
 */
import type { Command } from 'commander';
import { CliError, action, oneLine } from '../cli.js';
import { withoutCredentials } from '../prompts/registry-session.js';

const ENVIRONMENT = `
Environment:
  DATABASE_URL  postgres://user:password@host:port/database (required)`;

export function register(program: Command): void {
  program
    .command('migrate')
    .summary('apply pending registry migrations to DATABASE_URL (under an advisory lock)')
    .description(
      'Applies the pending migrations to DATABASE_URL under a Postgres advisory lock, so concurrent runs take turns, and prints what it applied. Safe to run again.',
    )
    .addHelpText('after', ENVIRONMENT)
    .action(action(migrate));
}

async function migrate(): Promise<number> {
  const { ConfigError, loadConfig, url } = await import('#config');
  const { createDataSource, runMigrations } = await import('#persistence');
  const { z } = await import('zod');
  let config;
  try {
    config = loadConfig(z.object({ DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'] }) }));
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${error.message} (see 'ballast migrate --help')`);
    throw error;
  }
  const where = withoutCredentials(config.DATABASE_URL);
  // One connection: the lock is held on it, and the migrations run on it.
  const dataSource = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'ballast-migrate' });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new CliError(`cannot open the database at ${where}: ${oneLine(error)}`);
  }
  try {
    const applied = await runMigrations(dataSource);
    process.stdout.write(
      applied.length === 0 ? `${where}: up to date, no migration pending\n` : `${where}: applied ${applied.length} migration(s): ${applied.join(', ')}\n`,
    );
    return 0;
  } catch (error) {
    throw new CliError(`migrating ${where} failed: ${oneLine(error)}`);
  } finally {
    await dataSource.destroy();
  }
}
