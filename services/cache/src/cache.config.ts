import { z } from 'zod';
import { defineConfig, int, oneOf, serviceConfig, url } from '#config';

export const cacheConfig = defineConfig(
  serviceConfig({
    CACHE_DEFAULT_TTL_SECONDS: int({ min: 1 }).default(3600),
    CACHE_MAX_ENTRIES: int({ min: 1 }).default(100_000),
    // Bounds how long a replica may serve an answer another replica's refresh replaced.
    CACHE_LRU_TTL_SECONDS: int({ min: 1, max: 300 }).default(10),
    /** Qdrant for the semantic layer; unset uses pgvector in the service's database. */
    QDRANT_URL: url({ protocols: ['http:', 'https:'] }).optional(),
    QDRANT_API_KEY: z.string().min(1).optional(),
    /** auto: Qdrant when QDRANT_URL is set, else pgvector in the database; off: exact matching only. */
    CACHE_SEMANTIC_STORE: oneOf(['auto', 'qdrant', 'pgvector', 'off']).default('auto'),
    /** Mode of prompts whose cache policy names none, and of ad-hoc chats. */
    CACHE_DEFAULT_MODE: oneOf(['exact', 'semantic']).default('exact'),
    CACHE_SEMANTIC_THRESHOLD: z.coerce.number().min(0).max(1).default(0.95),
    /** The longest a semantic look-up may take before it counts as a miss. */
    CACHE_SEMANTIC_TIMEOUT_MS: int({ min: 1, max: 10_000 }).default(150),
    /** An OpenAI-compatible API base (…/v1) for embeddings; unset uses the local embedder (no weights). */
    CACHE_EMBEDDINGS_URL: url({ protocols: ['http:', 'https:'] }).optional(),
    CACHE_EMBEDDINGS_MODEL: z.string().min(1).default('text-embedding-3-small'),
    CACHE_EMBEDDINGS_DIMENSIONS: int({ min: 1, max: 8192 }).default(1536),
    CACHE_EMBEDDINGS_API_KEY: z.string().min(1).optional(),
    /** auto: the OpenAI-compatible endpoint when CACHE_EMBEDDINGS_URL is set, else local; minilm: all-MiniLM-L6-v2 in process (opt in, fetched model). */
    CACHE_EMBEDDER: oneOf(['auto', 'local', 'openai', 'minilm']).default('auto'),
    CACHE_EMBEDDER_MODEL_DIR: z.string().min(1).default('.models/all-minilm-l6-v2'),
    /** full: every hit-verification rule; no-content-words: all but the content-word rule, for an embedder that matches synonyms (minilm). */
    CACHE_VERIFIER: oneOf(['full', 'no-content-words']).default('full'),
  }),
);
