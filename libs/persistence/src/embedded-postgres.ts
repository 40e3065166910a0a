import { mkdir } from 'node:fs/promises';
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
  if (options.dataDir !== undefined) {
    dataDir = join(options.dataDir, 'pg');
    await mkdir(dataDir, { recursive: true });
  }
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections });
  try {
    await server.start();
  } catch (err) {
    await db.close();
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
      })()),
  };
}
