// `ballast migrate` (the Helm chart's pre-install/pre-upgrade Job) on a real Postgres: two runs at
// once take turns on the advisory lock, so every migration is applied exactly once and neither fails.
import { jest } from '@jest/globals';
import pg from 'pg';
import { createDataSource, runMigrations, PERSISTENCE_MIGRATIONS } from '#persistence';
import { runCliCapturing } from '../apps/cli/test/run-in-process.js';

jest.setTimeout(60_000);

const baseUrl = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
const database = `ballast_migrate_${process.pid}_${Date.now()}`;
const url = (() => {
  const u = new URL(baseUrl);
  u.pathname = `/${database}`;
  return u.toString();
})();

/** Sets DATABASE_URL (or unsets it) for what the CLI reads; returns the function that puts it back. */
function setDatabaseUrl(value: string | undefined): () => void {
  const previous = process.env.DATABASE_URL;
  const put = (v: string | undefined) => (v === undefined ? delete process.env.DATABASE_URL : (process.env.DATABASE_URL = v));
  put(value);
  return () => void put(previous);
}

let admin: pg.Client;
let holder: pg.Client;

/** Resolves once `check` holds; polled because Postgres has no event for "a session started waiting". */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting until ${what}`);
}

const waitingOn = async (applicationName: string): Promise<string | null> => {
  // Asked on another session: pg_stat_activity is a snapshot for the length of a transaction, and holder is in one.
  const { rows } = await admin.query<{ wait: string | null }>(
    `SELECT a.wait_event_type || ':' || coalesce(l.locktype, a.wait_event) AS wait
       FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
      WHERE a.datname = $1 AND a.application_name = $2 AND a.wait_event_type = 'Lock'`,
    [database, applicationName],
  );
  return rows[0]?.wait ?? null;
};

beforeAll(async () => {
  admin = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (cause) {
    throw new Error(`Postgres is not reachable at ${new URL(baseUrl).host}: ${(cause as Error).message}. Start it with bash scripts/postgres.sh up or set DATABASE_URL.`, { cause });
  }
  await admin.query(`CREATE DATABASE ${database}`);
  holder = new pg.Client({ connectionString: url });
  await holder.connect();
});

afterAll(async () => {
  await holder?.end();
  await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.end();
});

describe('ballast migrate on real Postgres', () => {
  it('two runs at once: the second waits on the advisory lock, then finds nothing pending; each migration is applied once', async () => {
    // The migrations table exists but is locked, so the first run stops inside its critical section.
    await holder.query(`CREATE TABLE ballast_migrations (id SERIAL PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)`);
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE ballast_migrations IN ACCESS EXCLUSIVE MODE');

    const restore = setDatabaseUrl(url);
    const first = runCliCapturing('migrate');
    // A second pool, since the lock is per session: what a second Job pod or a starting service does.
    const second = createDataSource({ url, poolSize: 1, applicationName: 'ballast-migrate-second' });
    try {
      await until('the first run holds the advisory lock and waits on the table', async () => (await waitingOn('ballast-migrate')) === 'Lock:relation');
      await second.initialize();
      const secondRun = runMigrations(second);
      await until('the second run waits on the advisory lock', async () => (await waitingOn('ballast-migrate-second')) === 'Lock:advisory');

      await holder.query('COMMIT');
      const [cli, secondApplied] = await Promise.all([first, secondRun]);

      expect(cli.err).toBe('');
      expect(cli.code).toBe(0);
      expect(cli.out.trim()).toBe(`127.0.0.1:${new URL(url).port || '5432'}/${database}: applied ${PERSISTENCE_MIGRATIONS.length} migration(s): ${PERSISTENCE_MIGRATIONS.map((m) => m.name).join(', ')}`);
      expect(secondApplied).toEqual([]);
      const { rows } = await holder.query<{ name: string; n: string }>('SELECT name, count(*) AS n FROM ballast_migrations GROUP BY name ORDER BY name');
      expect(rows.map((r) => [r.name, Number(r.n)])).toEqual(PERSISTENCE_MIGRATIONS.map((m) => [m.name, 1]).sort());
    } finally {
      restore();
      await holder.query('ROLLBACK').catch(() => undefined);
      if (second.isInitialized) await second.destroy();
    }
  });

  it('a run on an up-to-date database applies nothing and says so', async () => {
    const restore = setDatabaseUrl(url);
    try {
      const run = await runCliCapturing('migrate');
      expect(run).toEqual({ code: 0, out: `127.0.0.1:${new URL(url).port || '5432'}/${database}: up to date, no migration pending\n`, err: '' });
    } finally {
      restore();
    }
  });

  it('--help names DATABASE_URL and the lock; a missing DATABASE_URL is one line, exit 1', async () => {
    const help = await runCliCapturing('migrate', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: ballast migrate');
    expect(help.out).toContain('DATABASE_URL');
    expect(help.out).toContain('advisory lock');
    const restore = setDatabaseUrl(undefined);
    try {
      const run = await runCliCapturing('migrate');
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toHaveLength(1);
      expect(run.err).toContain('DATABASE_URL');
    } finally {
      restore();
    }
  });

  it('an unreachable database is one line without the password, exit 1', async () => {
    const restore = setDatabaseUrl('postgres://ballast:s3cret-pw@127.0.0.1:1/ballast');
    try {
      const run = await runCliCapturing('migrate');
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toHaveLength(1);
      expect(run.err).toContain('ballast migrate: cannot open the database at 127.0.0.1:1/ballast');
      expect(run.err).not.toContain('s3cret-pw');
    } finally {
      restore();
    }
  });
});
