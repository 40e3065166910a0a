import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import type { UsageEvent } from '#contracts';
import { ConfigError, type Config } from '#config';
import type { cacheConfig } from '../cache.config.js';
import { CachedEmbedder, type Embedder } from './embedder.js';
import { HitVerifier } from './hit.verifier.js';
import { LocalEmbedder } from './local.embedder.js';
import { MiniLmEmbedder } from './minilm.embedder.js';
import { OpenAiEmbedder } from './openai.embedder.js';
import { PgVectorStore } from './pg.vector-store.js';
import { QdrantVectorStore } from './qdrant.vector-store.js';
import { SemanticCache } from './semantic-cache.js';
import { TieredVectorStore } from './tiered.vector-store.js';
import type { VectorStore } from './vector.store.js';

type CacheConfig = Config<typeof cacheConfig.schema>;

/** What the running stage adds to the configuration: where the embedder's usage events go. */
export interface SemanticCacheWiring {
  onUsage?: (event: UsageEvent) => void;
  /** The database has no other user (embedded mode): pgvector gets an in-memory index in front. */
  soleOwner?: boolean;
}

export function embedderFromConfig(config: CacheConfig, wiring: SemanticCacheWiring = {}): Embedder {
  const kind = config.CACHE_EMBEDDER === 'auto' ? (config.CACHE_EMBEDDINGS_URL ? 'openai' : 'local') : config.CACHE_EMBEDDER;
  if (kind !== 'openai' && config.CACHE_EMBEDDINGS_URL) {
    throw new ConfigError([{ variable: 'CACHE_EMBEDDER', message: `${kind} conflicts with CACHE_EMBEDDINGS_URL, which is for CACHE_EMBEDDER=openai: unset one` }]);
  }
  let inner: Embedder;
  if (kind === 'openai') {
    if (!config.CACHE_EMBEDDINGS_URL) throw new ConfigError([{ variable: 'CACHE_EMBEDDINGS_URL', message: 'CACHE_EMBEDDER=openai needs an OpenAI-compatible …/v1 base' }]);
    inner = new OpenAiEmbedder({
      baseUrl: config.CACHE_EMBEDDINGS_URL,
      model: config.CACHE_EMBEDDINGS_MODEL,
      dimensions: config.CACHE_EMBEDDINGS_DIMENSIONS,
      ...(config.CACHE_EMBEDDINGS_API_KEY ? { apiKey: config.CACHE_EMBEDDINGS_API_KEY } : {}),
      timeoutMs: config.CACHE_SEMANTIC_TIMEOUT_MS,
      ...(wiring.onUsage ? { onUsage: wiring.onUsage } : {}),
    });
  } else if (kind === 'minilm') {
    inner = new MiniLmEmbedder({ modelDir: resolve(config.CACHE_EMBEDDER_MODEL_DIR) });
  } else {
    inner = new LocalEmbedder();
  }
  return new CachedEmbedder(inner);
}

export type VerifierRules = CacheConfig['CACHE_VERIFIER'];

/**
 * The hit verifier `CACHE_VERIFIER` names. `no-content-words` keeps the numbers, negation, entity,
 * question-word, person and direction rules and drops the one that refuses a neighbour lacking any
 * of the question's content words (no word counts as key), which refuses every synonym paraphrase.
 */
export function hitVerifier(rules: VerifierRules): HitVerifier {
  return new HitVerifier(rules === 'no-content-words' ? { keyWordMinIdf: Number.POSITIVE_INFINITY } : {});
}

/**
 * The semantic layer the configuration asks for: Qdrant when `QDRANT_URL` is set (or
 * `CACHE_SEMANTIC_STORE=qdrant`), else pgvector in the service's database (searched in memory,
 * written behind, when this process is its sole owner); null when off or there is nowhere to keep vectors.
 */
export function semanticCacheFromConfig(config: CacheConfig, dataSource: DataSource | null | undefined, wiring: SemanticCacheWiring = {}): SemanticCache | null {
  const wanted = config.CACHE_SEMANTIC_STORE;
  if (wanted === 'off') return null;
  const embedder = embedderFromConfig(config, wiring);
  let store: VectorStore;
  if (wanted === 'qdrant' || (wanted === 'auto' && config.QDRANT_URL)) {
    store = new QdrantVectorStore(
      { url: config.QDRANT_URL ?? 'http://127.0.0.1:6333', ...(config.QDRANT_API_KEY ? { apiKey: config.QDRANT_API_KEY } : {}), timeoutMs: config.CACHE_SEMANTIC_TIMEOUT_MS },
      embedder.model,
      embedder.dimensions,
    );
  } else if (dataSource) {
    const pg = new PgVectorStore(dataSource, embedder.model, embedder.dimensions);
    store = wiring.soleOwner ? new TieredVectorStore(pg, embedder.dimensions, { maxEntries: config.CACHE_MAX_ENTRIES }) : pg;
  } else {
    return null;
  }
  return new SemanticCache({
    embedder,
    store,
    verifier: hitVerifier(config.CACHE_VERIFIER),
    defaultThreshold: config.CACHE_SEMANTIC_THRESHOLD,
    timeoutMs: config.CACHE_SEMANTIC_TIMEOUT_MS,
  });
}
