import { MemoryVectorStore } from '../src/semantic/memory.vector-store.js';
import { CONTRACT_DIMENSIONS, CONTRACT_MODEL, describeVectorStoreContract } from './vector-store.contract.js';

describeVectorStoreContract('MemoryVectorStore', async () => new MemoryVectorStore(CONTRACT_MODEL, CONTRACT_DIMENSIONS));
