import { jest } from '@jest/globals';
import { TOPICS, type LlmResponse, type UsageEvent } from '#contracts';
import { shutdownTelemetry, startTelemetry } from '#observability';
import { PromptRegistryService, SUPPORT_ANSWER_PROMPT, trafficBucket } from '#persistence';
import { waitUntil } from '#testing';
import { PromptResolver } from '../../../services/ingress/src/prompts/prompt.resolver.js';
import { startEmbedded, type Embedded } from '../src/embedded.js';

const API_KEY = 'test-key-prompt-registry';
const PROMPT = 'support-answer';
jest.setTimeout(60_000);

describe('prompt registry changes on running ingress replicas', () => {
  let ballast: Embedded;
  let resolvers: PromptResolver[];
  let registry: PromptRegistryService;

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'none' });
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', ingressReplicas: 2 });
    // Only ingress replicas serve HTTP in embedded mode.
    const ingress = ballast.apps.filter((app) => app.getHttpServer().listening);
    expect(ingress).toHaveLength(2);
    resolvers = ingress.map((app) => app.get(PromptResolver));
    registry = ingress[0]!.get(PromptRegistryService);
    // v2 renders the same messages as v1 (only the judge's sample rate differs), so only the version scopes the cache.
    await registry.publish({ ...SUPPORT_ANSWER_PROMPT, policies: { ...SUPPORT_ANSWER_PROMPT.policies, judge: { sampleRate: 0.5, rubric: 'helpfulness-v1' } } }, { actor: 'e2e' });
  });
  afterAll(async () => {
    await ballast?.stop();
    await shutdownTelemetry();
  });

  const ask = async (replica: number, requestId: string, question = `question of ${requestId}`) => {
    const res = await fetch(`${ballast.urls[replica]}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId, prompt: { name: PROMPT }, variables: { question } }),
    });
    expect(res.status).toBe(200);
    const outcome = (await res.json()) as LlmResponse;
    return { header: res.headers.get('x-ballast-prompt-version'), cache: res.headers.get('x-ballast-cache'), outcome };
  };

  /** Runs `change` and resolves once both replicas have handled its registry event (no sleeping). */
  async function onBothReplicas(change: () => Promise<unknown>): Promise<void> {
    const spies = resolvers.map((r) => jest.spyOn(r, 'invalidate'));
    try {
      await change();
      await waitUntil(() => spies.every((s) => s.mock.calls.some(([name]) => name === PROMPT)), 'the registry event on both replicas');
    } finally {
      for (const s of spies) s.mockRestore();
    }
  }

  const inferenceVersion = (requestId: string) =>
    ballast.broker
      .records(TOPICS.usage)
      .map((r) => JSON.parse(r.value.toString()).payload as UsageEvent)
      .find((u) => u.kind === 'inference' && u.requestId === requestId)?.promptVersion;

  it('moves both replicas to the new version at once, and never serves the answer cached for the old one', async () => {
    const question = 'Do you deliver on Sundays?';
    for (const replica of [0, 1]) expect((await ask(replica, `before-${replica}`)).header).toBe('1');
    expect(await ask(0, 'cached-v1-a', question)).toMatchObject({ header: '1', cache: 'miss' });
    const cachedV1 = await ask(0, 'cached-v1-b', question);
    expect(cachedV1).toMatchObject({ header: '1', cache: 'hit-exact', outcome: { source: 'cache' } });

    await onBothReplicas(() => registry.promote(PROMPT, { label: 'production', version: 2, actor: 'e2e', reason: 'better sampling', force: true }));

    for (const replica of [0, 1]) {
      const after = await ask(replica, `after-${replica}`);
      expect(after.header).toBe('2');
      expect(after.outcome.prompt).toEqual({ name: PROMPT, version: 2 });
    }
    const v2 = await ask(1, 'after-move-same-question', question);
    expect(v2).toMatchObject({ header: '2', cache: 'miss', outcome: { source: 'inference', prompt: { version: 2 } } });
    expect(inferenceVersion('after-move-same-question')).toBe(2);
  });

  it('rolls back to the previous version on both replicas, where the v1 answer is still cached', async () => {
    await onBothReplicas(() => registry.rollback(PROMPT, { label: 'production', actor: 'e2e', reason: 'complaints' }));
    for (const replica of [0, 1]) expect((await ask(replica, `rolled-back-${replica}`)).header).toBe('1');
    expect(await ask(0, 'rolled-back-cached', 'Do you deliver on Sundays?')).toMatchObject({ header: '1', cache: 'hit-exact' });
  });

  it('splits a canary by request id, names the version used in the header and the usage events, and ends it on rollback', async () => {
    await onBothReplicas(() => registry.promote(PROMPT, { label: 'production', version: 2, actor: 'e2e', reason: 'canary', canaryPercent: 50, force: true }));
    const ids = Array.from({ length: 16 }, (_, i) => `canary-${i}`);
    const expected = ids.map((id) => (trafficBucket(PROMPT, id) < 0.5 ? 2 : 1));
    expect(new Set(expected)).toEqual(new Set([1, 2]));
    const answers = await Promise.all(ids.map((id, i) => ask(i % 2, id)));
    expect(answers.map((a) => Number(a.header))).toEqual(expected);
    expect(answers.map((a) => a.outcome.prompt?.version)).toEqual(expected);
    expect(ids.map(inferenceVersion)).toEqual(expected);

    await onBothReplicas(() => registry.rollback(PROMPT, { label: 'production', actor: 'e2e', reason: 'canary errors' }));
    const after = await Promise.all(ids.map((id, i) => ask(i % 2, `${id}-after`)));
    expect(after.map((a) => a.header)).toEqual(ids.map(() => '1'));
    expect((await registry.history(PROMPT)).map((e) => [e.kind, e.toVersion, e.actor])).toEqual([
      ['move', 1, 'seed'],
      ['move', 2, 'e2e'],
      ['rollback', 1, 'e2e'],
      ['canary_start', 1, 'e2e'],
      ['rollback', 1, 'e2e'],
    ]);
  });
});
