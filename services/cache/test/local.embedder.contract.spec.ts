import { CachedEmbedder } from '../src/semantic/embedder.js';
import { LocalEmbedder } from '../src/semantic/local.embedder.js';
import { describeEmbedderContract } from './embedder.contract.js';

describeEmbedderContract('LocalEmbedder', async () => new LocalEmbedder());
describeEmbedderContract('CachedEmbedder over LocalEmbedder', async () => new CachedEmbedder(new LocalEmbedder()));
