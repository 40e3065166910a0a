import { randomBytes } from 'node:crypto';
import { CachedEmbedder } from '../src/semantic/embedder.js';
import { HitVerifier } from '../src/semantic/hit.verifier.js';
import { LocalEmbedder } from '../src/semantic/local.embedder.js';
import { QdrantVectorStore } from '../src/semantic/qdrant.vector-store.js';
import { SemanticCache } from '../src/semantic/semantic-cache.js';
import { CONTRACT_DIMENSIONS, CONTRACT_MODEL, describeVectorStoreContract } from './vector-store.contract.js';

// npm run qdrant:up starts one on this address.
const url = process.env['QDRANT_URL'] ?? 'http://127.0.0.1:6333';

describeVectorStoreContract(`QdrantVectorStore (${url})`, async () => new QdrantVectorStore({ url }, CONTRACT_MODEL, CONTRACT_DIMENSIONS));

describe(`semantic cache replicas on one Qdrant (${url})`, () => {
  const question = 'How do I reset the password of my Acme router?';
  const answer = { content: 'Hold reset for 10 s.', model: 'sim-1', provider: 'cache', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1, cachedTokens: 1, costUsd: 0, estimated: false }, ttftMs: null, durationMs: 0 };
  /** A cache replica as the service builds it: its own embedder cache and client, the shared server. */
  const replica = () => {
    const embedder = new CachedEmbedder(new LocalEmbedder());
    return new SemanticCache({ embedder, store: new QdrantVectorStore({ url }, embedder.model, embedder.dimensions), verifier: new HitVerifier(), defaultThreshold: 0.8, timeoutMs: 2000 });
  };

  it('serves the paraphrase of an answer one replica stored on a second replica and on a fresh one after both closed; never to another tenant', async () => {
    const tenantId = `t-${randomBytes(6).toString('hex')}`;
    const scope = { tenantId, promptName: 'support-answer', promptVersion: 3, model: 'sim-1', paramsHash: 'p' };
    const a = replica();
    await a.store({ key: randomBytes(32).toString('hex'), text: question, scope, completion: answer, expiresAt: new Date(Date.now() + 3_600_000) });
    const b = replica();
    expect((await b.lookup('how can I reset my Acme router password', scope))?.completion.content).toBe('Hold reset for 10 s.');
    expect(await b.lookup(question, { ...scope, tenantId: `${tenantId}-other` })).toBeNull();
    await Promise.all([a.close(), b.close()]);
    const fresh = replica();
    expect((await fresh.lookup('How can I reset the password for my Acme router?', scope))?.similarity).toBeGreaterThanOrEqual(0.8);
    await fresh.close();
  });
});
