import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openDataSource,
  runMigrations,
  startEmbeddedPostgres,
  TypeormProcessedMessageStore,
  TypeormPromptRegistryRepository,
  TypeormTenantRepository,
  type EmbeddedPostgres,
} from '#persistence';
import type { DataSource } from 'typeorm';
import { describeDataSourceContract } from './data-source.contract.js';
import { describeProcessedMessageStoreContract } from './processed-message-store.contract.js';
import { describePromptRegistryContract } from './prompt-registry.contract.js';
import { describeTenantRepositoryContract } from './tenant-repository.contract.js';

let pg: EmbeddedPostgres;
let ds: DataSource;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  ds = await openDataSource({ url: pg.url, poolSize: pg.maxConnections });
}, 60_000);

afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

describePromptRegistryContract('TypeORM on PGlite', () => new TypeormPromptRegistryRepository(ds));
describeTenantRepositoryContract('TypeORM on PGlite', () => ({
  tenants: new TypeormTenantRepository(ds),
  storedKeyValues: async () => {
    const rows: { key_hash: string; prefix: string }[] = await ds.query('SELECT key_hash, prefix FROM api_keys');
    return rows.flatMap((r) => [r.key_hash, r.prefix]);
  },
}));
describeProcessedMessageStoreContract('TypeORM on PGlite', () => new TypeormProcessedMessageStore(ds));
describeDataSourceContract('PGlite', () => ds, true);

describe('embedded Postgres with a data folder', () => {
  it('keeps published prompts across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ballast-pg-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      const ds1 = await openDataSource({ url: first.url, poolSize: first.maxConnections });
      await new TypeormPromptRegistryRepository(ds1).publish({
        name: 'kept',
        model: 'sim-1',
        template: { messages: [{ role: 'user', content: '{{q}}' }] },
      });
      await ds1.destroy();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir });
      const ds2 = await openDataSource({ url: second.url, poolSize: second.maxConnections });
      try {
        expect(await runMigrations(ds2)).toEqual([]);
        expect((await new TypeormPromptRegistryRepository(ds2).resolve('kept', { version: 1 }))?.model).toBe('sim-1');
      } finally {
        await ds2.destroy();
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
