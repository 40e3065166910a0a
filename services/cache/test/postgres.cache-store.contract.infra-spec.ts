import { openDataSource } from '#persistence';
import type { DataSource } from 'typeorm';
import { PostgresCacheStore } from '../src/store/postgres.cache-store.js';
import { TieredCacheStore } from '../src/store/tiered.cache-store.js';
import { describeCacheStoreContract, type CacheStoreSubject } from './cache-store.contract.js';

const url = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
const open: DataSource[] = [];

async function connect(): Promise<DataSource> {
  try {
    const ds = await openDataSource({ url, connectTimeoutMs: 3000, applicationName: 'ballast-cache-test' });
    open.push(ds);
    return ds;
  } catch (cause) {
    const where = url.replace(/\/\/[^@/]*@/, '//***@');
    throw new Error(
      `Postgres is not reachable at ${where}: ${(cause as Error).message}. ` +
        'Start it (bash scripts/postgres.sh up) or set DATABASE_URL; the infra tests need a real Postgres.',
      { cause },
    );
  }
}

afterAll(async () => {
  await Promise.all(open.filter((ds) => ds.isInitialized).map((ds) => ds.destroy()));
});

/** Each replica has its own connection pool; a restart closes the store and its pool and connects anew. */
function postgresSubject(wrap: (shared: PostgresCacheStore) => CacheStoreSubject['store']) {
  return async (): Promise<CacheStoreSubject> => {
    const ds = await connect();
    const shared = new PostgresCacheStore(ds);
    return {
      store: wrap(shared),
      replica: async () => wrap(new PostgresCacheStore(await connect())),
      restart: async () => {
        await shared.close();
        await ds.destroy();
        return wrap(new PostgresCacheStore(await connect()));
      },
    };
  };
}

describeCacheStoreContract('PostgresCacheStore on Postgres', postgresSubject((shared) => shared), { shared: true });
describeCacheStoreContract(
  'TieredCacheStore over PostgresCacheStore on Postgres',
  postgresSubject((shared) => new TieredCacheStore(shared, { lruTtlSeconds: 5 })),
  { shared: true },
);
