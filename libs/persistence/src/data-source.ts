import { readFileSync } from 'node:fs';
import { DataSource, MigrationExecutor } from 'typeorm';
import { PERSISTENCE_ENTITIES } from './persistence.entities.js';
import { PERSISTENCE_MIGRATIONS } from './persistence.migrations.js';

export interface DataSourceConfig {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Pool size; embedded Postgres serves one connection, so use its `maxConnections` there. Default 10. */
  poolSize?: number;
  /** Fail a connection attempt after this many ms instead of hanging. Default 5000. */
  connectTimeoutMs?: number;
  logging?: boolean;
  applicationName?: string;
  /**
   * A CA bundle (PEM file) to verify the server against (`DATABASE_TLS_CA_FILE`): the connection uses
   * TLS and checks the certificate chain and the host name (libpq's verify-full). Unset: whatever the
   * URL says (`?sslmode=verify-full&sslrootcert=…` works too).
   */
  tlsCaFile?: string | undefined;
}

/** node-postgres `ssl` options for verify-full against the CA in `caFile`. */
export function postgresTls(caFile: string): { ca: string; rejectUnauthorized: true } {
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new Error(`DATABASE_TLS_CA_FILE: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  // rejectUnauthorized with Node's default checkServerIdentity verifies the chain and the host name.
  return { ca, rejectUnauthorized: true };
}

/**
 * Builds (does not connect) the registry's DataSource, outside any Nest module so the CLI, the
 * seed and tests use the same one. The schema only changes through migrations.
 *
 * @example const ds = createDataSource({ url: process.env.DATABASE_URL! }); await ds.initialize();
 */
export function createDataSource(config: DataSourceConfig): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.url,
    ...(config.tlsCaFile ? { ssl: postgresTls(config.tlsCaFile) } : {}),
    entities: PERSISTENCE_ENTITIES,
    migrations: PERSISTENCE_MIGRATIONS,
    migrationsTableName: 'ballast_migrations',
    migrationsTransactionMode: 'each',
    // Migrations run through runMigrations() (under a lock), never on initialize or by synchronize.
    migrationsRun: false,
    synchronize: false,
    poolSize: config.poolSize ?? 10,
    connectTimeoutMS: config.connectTimeoutMs ?? 5000,
    applicationName: config.applicationName ?? 'ballast',
    logging: config.logging ?? false,
  });
}

// Any constant works; it only has to be the same for every process migrating this database.
const MIGRATION_LOCK_KEY = 0x6261_6c6c;

/**
 * Applies pending migrations and returns the names of those it ran. Holds a Postgres advisory
 * lock on the one connection it uses, so services starting together migrate one at a time.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(dataSource, queryRunner);
      executor.transaction = 'each';
      return (await executor.executePendingMigrations()).map((m) => m.name);
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await queryRunner.release();
  }
}

/** Connects and migrates: what a service does at startup. */
export async function openDataSource(config: DataSourceConfig): Promise<DataSource> {
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  try {
    await runMigrations(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}
