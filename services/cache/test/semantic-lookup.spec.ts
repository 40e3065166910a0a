import { buildResponse, createEnvelope, PipelineState, TOPICS, type Completion, type Envelope } from '#contracts';
import type { Publisher, PublishItem } from '#messaging';
import { metricsRegistry } from '#observability';
import { waitUntil } from '#testing';
import type { CacheDeps } from '../src/cache.tokens.js';
import { LookupCacheUseCase } from '../src/lookup/lookup-cache.usecase.js';
import { semanticRefOf, semanticScopeOf } from '../src/lookup/semantic-key.js';
import { CachedEmbedder, type Embedder } from '../src/semantic/embedder.js';
import { HitVerifier } from '../src/semantic/hit.verifier.js';
import { LocalEmbedder } from '../src/semantic/local.embedder.js';
import { MemoryVectorStore } from '../src/semantic/memory.vector-store.js';
import { OpenAiEmbedder } from '../src/semantic/openai.embedder.js';
import { QdrantVectorStore } from '../src/semantic/qdrant.vector-store.js';
import { SemanticCache } from '../src/semantic/semantic-cache.js';
import type { VectorStore } from '../src/semantic/vector.store.js';
import { startEmbeddingsEndpoint } from './embeddings-endpoint.js';
import { MemoryCacheStore } from '../src/store/memory.cache-store.js';
import { StoreAnswerUseCase } from '../src/store/store-answer.usecase.js';

const SYSTEM = 'You are a concise support agent for Acme.';

interface Ask {
  question: string;
  tenant?: string;
  version?: number;
  model?: string;
  cache?: 'default' | 'bypass' | 'refresh';
  policy?: Record<string, unknown>;
}

function stateOf({ question, tenant = 'acme', version = 3, model = 'sim-1', cache = 'default', policy = { mode: 'semantic', threshold: 0.8 } }: Ask): PipelineState {
  return PipelineState.parse({
    request: { requestId: `r-${Math.random().toString(36).slice(2)}`, tenantId: tenant, prompt: { name: 'support-answer' }, variables: { question }, options: { cache } },
    receivedAt: new Date().toISOString(),
    prompt: { name: 'support-answer', version, label: null, contentHash: 'h', model, params: {}, policies: { guardrail: {}, cache: policy, judge: {} } },
    rendered: { model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: question }], temperature: 0, maxTokens: 256 },
  });
}

function answer(content: string): Completion {
  return { content, model: 'sim-1', provider: 'sim', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0.001, estimated: false }, ttftMs: 5, durationMs: 20 };
}

/** The cache stage's two use cases over a fake publisher; `ask` looks up, `answer` plays inference and the output guardrail. */
function harness(semantic: SemanticCache | null, defaultMode: 'exact' | 'semantic' = 'exact') {
  const published: PublishItem[] = [];
  const publisher = { publishAll: async (items: readonly PublishItem[]) => void published.push(...items) } as unknown as Publisher;
  const deps: CacheDeps = { publisher, store: new MemoryCacheStore(1000), defaultTtlSeconds: 3600, semantic, defaultMode };
  const lookup = new LookupCacheUseCase(deps);
  const store = new StoreAnswerUseCase(deps);
  const ask = async (a: Ask, deadline?: Date) => {
    const state = stateOf(a);
    await lookup.execute(createEnvelope(TOPICS.cacheLookup, state, { requestId: state.request.requestId, tenantId: state.request.tenantId, ...(deadline ? { deadline: deadline.toISOString() } : {}) }));
    const out = published.pop()!;
    return { topic: out.topic, state: (out.envelope as Envelope<PipelineState>).payload };
  };
  /** Looks up; on a miss, "answers" with `content` through inference and stores what passed the guardrail. */
  const serve = async (a: Ask, content: string, status: 'completed' | 'blocked' = 'completed') => {
    const result = await ask(a);
    if (result.topic === TOPICS.inference) {
      const done = { ...result.state, completion: answer(content), ...(status === 'blocked' ? { outcome: { status, error: { code: 'ballast.guardrail.blocked', message: 'blocked' } } } : {}) };
      const response = buildResponse(PipelineState.parse(done));
      await store.execute(createEnvelope(TOPICS.responses, response, { requestId: response.requestId, tenantId: response.tenantId }));
    }
    return result;
  };
  return { ask, serve };
}

function semanticCache(options: { store?: VectorStore; embedder?: Embedder; timeoutMs?: number } = {}) {
  const embedder = options.embedder ?? new CachedEmbedder(new LocalEmbedder());
  const store = options.store ?? new MemoryVectorStore(embedder.model, embedder.dimensions);
  return { store, cache: new SemanticCache({ embedder, store, verifier: new HitVerifier(), defaultThreshold: 0.95, timeoutMs: options.timeoutMs ?? 1000 }) };
}

async function failuresCounted(reason?: 'timeout' | 'error'): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('ballast_cache_semantic_failures_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels['operation'] === 'lookup' && (!reason || v.labels['reason'] === reason)).reduce((sum, v) => sum + v.value, 0);
}

const QUESTION = 'How do I reset the password of my Acme router?';
const PARAPHRASE = 'how can I reset my Acme router password';

describe('Semantic cache look-up (cache stage)', () => {
  it('a paraphrase of a cached question in the same scope hits, with its similarity and the threshold', async () => {
    const { serve, ask } = harness(semanticCache().cache);
    expect((await serve({ question: QUESTION }, 'Hold the reset button for 10 seconds.')).state.cache).toMatchObject({ outcome: 'miss', semantic: { text: QUESTION } });
    const hit = await ask({ question: PARAPHRASE });
    expect(hit.topic).toBe(TOPICS.guardOutput); // a hit still passes the output guardrail
    expect(hit.state.completion?.content).toBe('Hold the reset button for 10 seconds.');
    expect(hit.state.cache).toMatchObject({ outcome: 'hit-semantic', threshold: 0.8 });
    expect(hit.state.cache!.similarity!).toBeGreaterThanOrEqual(0.8);
    expect(buildResponse(hit.state)).toMatchObject({ cache: 'hit-semantic', source: 'cache', cacheSimilarity: hit.state.cache!.similarity });
  });

  it.each([
    ['another tenant', { tenant: 'globex' }],
    ['another prompt version', { version: 4 }],
    ['another model', { model: 'sim-2' }],
  ])('the same question from %s misses', async (_, change) => {
    const { serve, ask } = harness(semanticCache().cache);
    await serve({ question: QUESTION }, 'acme answer');
    expect((await ask({ question: QUESTION, ...change })).state.cache?.outcome).toBe('miss');
    expect((await ask({ question: PARAPHRASE, ...change })).state.cache?.outcome).toBe('miss');
  });

  it('an expired entry misses', async () => {
    const { cache, store } = semanticCache();
    const { ask } = harness(cache);
    const ref = semanticRefOf(stateOf({ question: QUESTION }))!;
    await cache.store({ key: 'old', text: QUESTION, scope: semanticScopeOf('acme', { name: 'support-answer', version: 3 }, ref), completion: answer('stale'), expiresAt: new Date(Date.now() - 1000) });
    expect(await store.search((await new LocalEmbedder().embed([QUESTION]))[0]!, semanticScopeOf('acme', { name: 'support-answer', version: 3 }, ref), { now: new Date(0) })).toHaveLength(1);
    expect((await ask({ question: PARAPHRASE })).state.cache?.outcome).toBe('miss');
  });

  it('refresh skips the look-up, and its answer replaces the cached one', async () => {
    const { serve, ask } = harness(semanticCache().cache);
    await serve({ question: QUESTION }, 'old answer');
    expect((await serve({ question: QUESTION, cache: 'refresh' }, 'new answer')).state.cache?.outcome).toBe('miss');
    expect((await ask({ question: PARAPHRASE })).state.completion?.content).toBe('new answer');
  });

  it('verification refuses a neighbour that asks about another number', async () => {
    const { serve, ask } = harness(semanticCache().cache);
    await serve({ question: 'Can I return an Acme router after 30 days?' }, 'thirty');
    expect((await ask({ question: 'Can I return an Acme router after 90 days?', policy: { mode: 'semantic', threshold: 0.5 } })).state.cache?.outcome).toBe('miss');
  });

  it('exact mode (the default) never serves a neighbour, and a bypass skips the cache', async () => {
    const { serve, ask } = harness(semanticCache().cache);
    await serve({ question: QUESTION }, 'acme answer');
    expect((await ask({ question: PARAPHRASE, policy: {} })).state.cache?.outcome).toBe('miss');
    expect((await ask({ question: QUESTION, cache: 'bypass' })).state.cache?.outcome).toBe('bypass');
  });

  it('an answer the output guardrail blocked is never stored', async () => {
    const { serve, ask } = harness(semanticCache().cache);
    await serve({ question: QUESTION }, 'leaked secret', 'blocked');
    expect((await ask({ question: PARAPHRASE })).state.cache?.outcome).toBe('miss');
  });

  it('an embedder that is down turns into a miss, counted, not a failed request', async () => {
    const down: Embedder = { model: 'm', dimensions: 512, embed: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const { ask } = harness(semanticCache({ embedder: down }).cache);
    const before = await failuresCounted();
    const result = await ask({ question: QUESTION });
    expect([result.topic, result.state.cache?.outcome, result.state.outcome]).toEqual([TOPICS.inference, 'miss', undefined]);
    expect(await failuresCounted()).toBe(before + 1);
  });

  it('an embeddings endpoint that never answers or is down turns into a miss within the look-up budget, counted', async () => {
    const slow = await startEmbeddingsEndpoint([], { always: 'hang' });
    try {
      // Down: the connection errors are retried with backoff until the budget runs out (counted as a timeout, or an error if retries end first).
      for (const [url, reason] of [[slow.url, 'timeout'], ['http://127.0.0.1:9/v1', undefined]] as const) {
        // Each attempt could take 2 s and be retried; the look-up's budget (300 ms, well inside the request's deadline) cuts it short.
        const embedder = new OpenAiEmbedder({ baseUrl: url, model: 'text-embedding-3-small', dimensions: 3, timeoutMs: 2_000 });
        const { cache } = semanticCache({ embedder, store: new MemoryVectorStore(embedder.model, 3), timeoutMs: 300 });
        const before = await failuresCounted(reason);
        const { ask } = harness(cache, 'semantic');
        const result = await ask({ question: QUESTION }, new Date(Date.now() + 10_000));
        expect([result.topic, result.state.cache?.outcome, result.state.outcome]).toEqual([TOPICS.inference, 'miss', undefined]);
        expect(await failuresCounted(reason)).toBe(before + 1);
      }
      expect(slow.calls).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('a Qdrant that is down, or a vector store that never answers, turns into a miss within the time allowed', async () => {
    const embedder = new LocalEmbedder();
    const qdrantDown = new QdrantVectorStore({ url: 'http://127.0.0.1:9', timeoutMs: 500 }, embedder.model, embedder.dimensions);
    const hanging: VectorStore = Object.assign(new MemoryVectorStore(embedder.model, embedder.dimensions), { search: () => new Promise<never>(() => {}) });
    for (const store of [qdrantDown, hanging]) {
      const { ask } = harness(semanticCache({ store, embedder, timeoutMs: 100 }).cache);
      const before = await failuresCounted();
      const result = await ask({ question: QUESTION });
      expect([result.topic, result.state.cache?.outcome]).toEqual([TOPICS.inference, 'miss']);
      expect(await failuresCounted()).toBe(before + 1);
    }
  });
});

describe('SemanticCache sweeper', () => {
  it('deletes expired entries on its interval once the collection is ready', async () => {
    const embedder = new LocalEmbedder();
    const store = new MemoryVectorStore(embedder.model, embedder.dimensions);
    const cache = new SemanticCache({ embedder, store, verifier: null, defaultThreshold: 0.9, timeoutMs: 1000, pruneIntervalMs: 10 });
    const ref = semanticRefOf(stateOf({ question: QUESTION }))!;
    const scope = semanticScopeOf('acme', { name: 'support-answer', version: 3 }, ref);
    await cache.store({ key: 'gone', text: QUESTION, scope, completion: answer('old'), expiresAt: new Date(Date.now() + 30) });
    const [v] = await embedder.embed([QUESTION]);
    let left = 1;
    await waitUntil(() => {
      void store.search(v!, scope, { now: new Date(0) }).then((found) => (left = found.length));
      return left === 0;
    }, 'the sweeper to delete the expired entry');
    await cache.close();
  });
});

describe('semanticRefOf', () => {
  it('embeds the free-text variable, not the shared system prompt, and hashes the rest', () => {
    const ref = semanticRefOf(stateOf({ question: QUESTION }))!;
    expect(ref.text).toBe(QUESTION);
    expect(ref.text).not.toContain(SYSTEM);
    expect(semanticRefOf(stateOf({ question: PARAPHRASE }))!.paramsHash).toBe(ref.paramsHash);
  });

  it('gives an ad-hoc chat the last user turn, and a different hash for a different conversation before it', () => {
    const chat = (system: string) =>
      PipelineState.parse({
        request: { requestId: 'r1', tenantId: 'acme', model: 'sim-1', messages: [{ role: 'user', content: 'x' }] },
        receivedAt: new Date().toISOString(),
        prompt: null,
        rendered: { model: 'sim-1', messages: [{ role: 'system', content: system }, { role: 'user', content: QUESTION }], temperature: 0, maxTokens: 256 },
      });
    expect(semanticRefOf(chat('a'))!.text).toBe(QUESTION);
    expect(semanticRefOf(chat('a'))!.paramsHash).not.toBe(semanticRefOf(chat('b'))!.paramsHash);
  });
});
