import { openDataSource, startEmbeddedPostgres, type EmbeddedPostgres } from '#persistence';
import type { DataSource } from 'typeorm';
import { PgVectorStore } from '../src/semantic/pg.vector-store.js';
import { CONTRACT_DIMENSIONS, CONTRACT_MODEL, describeVectorStoreContract } from './vector-store.contract.js';

let pg: EmbeddedPostgres;
let ds: DataSource;

describeVectorStoreContract(
  'PgVectorStore on PGlite (pgvector, HNSW)',
  async () => {
    pg = await startEmbeddedPostgres();
    ds = await openDataSource({ url: pg.url, poolSize: 1 });
    return new PgVectorStore(ds, CONTRACT_MODEL, CONTRACT_DIMENSIONS);
  },
  async () => {
    await ds?.destroy();
    await pg?.stop();
  },
);
