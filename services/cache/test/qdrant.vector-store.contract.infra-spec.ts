import { QdrantVectorStore } from '../src/semantic/qdrant.vector-store.js';
import { CONTRACT_DIMENSIONS, CONTRACT_MODEL, describeVectorStoreContract } from './vector-store.contract.js';

// npm run qdrant:up starts one on this address.
const url = process.env['QDRANT_URL'] ?? 'http://127.0.0.1:6333';

describeVectorStoreContract(`QdrantVectorStore (${url})`, async () => new QdrantVectorStore({ url }, CONTRACT_MODEL, CONTRACT_DIMENSIONS));
