import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Data lives in `${dataDir}/pg`; in memory when undefined. */
  dataDir?: string;
  /**
   * Client connections the socket server accepts at once. PGlite is one session: with more than
   * one, the server multiplexes messages and holds other clients back during a transaction.
   * Default 1 (give the DataSource `poolSize: 1`).
   */
  maxConnections?: number;
  /** Default 0: a free port. */
  port?: number;
}

export interface EmbeddedPostgres {
  /** A `postgres://` URL for the `pg` driver. */
  url: string;
  /** Pass this as the DataSource `poolSize`. */
  maxConnections: number;
  /** Closes the socket server and the database; close DataSources first. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Real Postgres (PGlite, WASM) with pgvector, served over TCP on 127.0.0.1 so the same `pg` driver
 * path runs in embedded mode and in production.
 *
 * @example const pg = await startEmbeddedPostgres({ dataDir: '.ballast' });
 *          const ds = await openDataSource({ url: pg.url, poolSize: pg.maxConnections });
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const maxConnections = options.maxConnections ?? 1;
  let dataDir: string | undefined;
  let unlock = async () => {};
  if (options.dataDir !== undefined) {
    dataDir = join(options.dataDir, 'pg');
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(options.dataDir);
  }
  let db: PGlite | undefined;
  let server: PGLiteSocketServer;
  try {
    // Postgres' default 128 MB of shared buffers lives in PGlite's WASM memory, which never shrinks;
    // embedded tables are small and the OS caches their files, so 16 MB keeps ~80 MB of RSS free.
    db = await PGlite.create({ dataDir, extensions: { vector }, startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'] });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections });
    await server.start();
  } catch (err) {
    await db?.close();
    await unlock();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    maxConnections,
    stop: () =>
      (stopping ??= (async () => {
        await server.stop();
        await db.close();
        await unlock();
      })()),
  };
}

/** Thrown when another live process has the data dir open: two PGlite instances on one directory corrupt it. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`the data dir ${dataDir} is in use by process ${pid} (a running npm start?); stop it, use its admin API, or choose another BALLAST_DATA_DIR`);
    this.name = 'DataDirInUseError';
  }
}

/** Takes `${dataDir}/ballast.lock` for this process; a lock left by a process that is gone is taken over. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, 'ballast.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new DataDirInUseError(dataDir, pid);
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not lock the data dir ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
