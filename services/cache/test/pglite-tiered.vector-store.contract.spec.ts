import { openDataSource, startEmbeddedPostgres, type EmbeddedPostgres } from '#persistence';
import type { DataSource } from 'typeorm';
import { PgVectorStore } from '../src/semantic/pg.vector-store.js';
import { TieredVectorStore } from '../src/semantic/tiered.vector-store.js';
import { CONTRACT_DIMENSIONS, CONTRACT_MODEL, describeVectorStoreContract } from './vector-store.contract.js';

let pg: EmbeddedPostgres;
let ds: DataSource;

describeVectorStoreContract(
  'TieredVectorStore (in-memory index) over pgvector on PGlite',
  async () => {
    pg = await startEmbeddedPostgres();
    ds = await openDataSource({ url: pg.url, poolSize: 1 });
    return new TieredVectorStore(new PgVectorStore(ds, CONTRACT_MODEL, CONTRACT_DIMENSIONS), CONTRACT_DIMENSIONS);
  },
  async () => {
    await ds?.destroy();
    await pg?.stop();
  },
);
