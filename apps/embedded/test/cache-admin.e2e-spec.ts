import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ERROR_CODES, type LlmResponse } from '#contracts';
import { metricsRegistry } from '#observability';
import { startEmbedded, type Embedded } from '../src/embedded.js';

jest.setTimeout(120_000);

const API_KEY = 'test-key-cache-admin';
const ADMIN_KEY = 'admin-key-cache-admin-0123456789';
const OTHER = 'cache-admin-other';
const OTHER_KEY = `bk_${OTHER}_0123456789abcdef`;
const QUESTION = 'How do I reset the password of my account?';
const PARAPHRASE = 'how can I reset my account password';

/** `DELETE /v1/admin/cache` on embedded Ballast (pgvector on PGlite, local embedder, semantic look-ups for every prompt). */
describe('admin API: cache purge in embedded mode', () => {
  let dataDir: string;
  let ballast: Embedded;
  let seq = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ballast-cache-admin-'));
    ballast = await startEmbedded({
      port: 0,
      apiKey: API_KEY,
      promptsDir: 'prompts',
      dataDir,
      env: { CACHE_DEFAULT_MODE: 'semantic', CACHE_SEMANTIC_THRESHOLD: '0.8', BALLAST_ADMIN_KEY: ADMIN_KEY },
    });
    await ballast.tenants.upsertTenant({ id: OTHER, name: OTHER, allowedModels: ['sim-1'], quotas: {} });
    await ballast.tenants.createApiKey(OTHER, OTHER_KEY);
  });
  afterAll(async () => {
    await ballast?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = async (key: string, question: string) => {
    const res = await fetch(`${ballast.url}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: `purge-${++seq}`, prompt: { name: 'support-answer' }, variables: { question } }),
    });
    const body = (await res.json()) as LlmResponse;
    return { cache: res.headers.get('x-ballast-cache'), body };
  };
  const purge = (query: string, key: string | null = ADMIN_KEY) =>
    fetch(`${ballast.url}/v1/admin/cache${query}`, { method: 'DELETE', headers: key ? { authorization: `Bearer ${key}` } : {} });
  const purged = async (layer: 'exact' | 'semantic') => {
    const metric = await metricsRegistry.getSingleMetric('ballast_cache_purged_entries_total')?.get();
    return metric?.values.find((v) => v.labels['layer'] === layer)?.value ?? 0;
  };
  const ordersDone = async () => (await metricsRegistry.getSingleMetric('ballast_cache_purges_total')?.get())?.values[0]?.value ?? 0;
  /** A purge order travels on the bus to the cache stage: sends it, then waits until the stage has carried it out. */
  const purgeAndWait = async (query: string) => {
    const before = await ordersDone();
    const res = await purge(query);
    for (const started = Date.now(); (await ordersDone()) === before; await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() - started > 10_000) throw new Error(`the cache stage did not carry out the purge ${query} within 10 s`);
    }
    return res;
  };

  it('refuses callers without the admin key, and bad input with a stable code', async () => {
    const none = await purge('?prompt=support-answer', null);
    expect([none.status, ((await none.json()) as { error: { code: string } }).error.code]).toEqual([401, ERROR_CODES.unauthorized]);
    const tenantKey = await purge('?prompt=support-answer', API_KEY);
    expect([tenantKey.status, ((await tenantKey.json()) as { error: { code: string } }).error.code]).toEqual([403, ERROR_CODES.forbidden]);
    for (const query of ['', '?prompt=', '?prompt=Support%20Answer', '?prompt=support-answer@x', '?prompt=support-answer@0', '?prompt=support-answer&tenant=Not%20A%20Tenant', '?prompt=support-answer&scope=all']) {
      const res = await purge(query);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ query, status: res.status, code: body.error.code }).toEqual({ query, status: 400, code: ERROR_CODES.invalidRequest });
      expect(body.error.message.length).toBeGreaterThan(10);
    }
  });

  it("removes exactly one tenant's entries of one prompt version, from the exact layer and the semantic store", async () => {
    const first = await ask(API_KEY, QUESTION);
    expect(first.cache).toBe('miss');
    const otherFirst = await ask(OTHER_KEY, QUESTION);
    expect(otherFirst.cache).toBe('miss');
    expect((await ask(API_KEY, PARAPHRASE)).cache).toBe('hit-semantic');
    const version = first.body.prompt!.version;

    const before = { exact: await purged('exact'), semantic: await purged('semantic') };
    const res = await purgeAndWait(`?prompt=support-answer@${version}&tenant=demo`);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ purgeId: expect.stringMatching(/^purge:/), prompt: 'support-answer', version, tenant: 'demo' });
    expect({ exact: await purged('exact'), semantic: await purged('semantic') }).toEqual({ exact: before.exact + 1, semantic: before.semantic + 1 });

    // The purged tenant: neither the question nor its paraphrase is served from the cache any more.
    expect((await ask(API_KEY, QUESTION)).cache).toBe('miss');
    // The other tenant's entry of the same prompt version is untouched, in both layers.
    const other = await ask(OTHER_KEY, QUESTION);
    expect([other.cache, other.body.content]).toEqual(['hit-exact', otherFirst.body.content]);
    expect((await ask(OTHER_KEY, PARAPHRASE)).cache).toBe('hit-semantic');
  });

  it('a purge of another version or another prompt leaves the entries alone', async () => {
    const exactBefore = await purged('exact');
    const semanticBefore = await purged('semantic');
    for (const query of ['?prompt=support-answer@999', `?prompt=other-prompt&tenant=${OTHER}`]) expect((await purgeAndWait(query)).status).toBe(202);
    expect([await purged('exact'), await purged('semantic')]).toEqual([exactBefore, semanticBefore]);
    expect((await ask(OTHER_KEY, QUESTION)).cache).toBe('hit-exact');
  });
});
