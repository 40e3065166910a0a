// Acceptance test for streaming in distributed mode (issue 11): the pipeline over the real Kafka
// broker and the real Postgres, each stage started by `startDistributedStage` with the deps
// function its main.ts uses, two ingress replicas, the official openai SDK as the client:
//   - a stream through either replica gets the role, several content deltas, finish_reason, the
//     usage chunk, and the same text as the outcome (read back through the other replica);
//   - a later canary in the model's answer cuts the stream before the canary is released, and a
//     card number is redacted in the released text (the default policy redacts PII);
//   - a cache hit streams the stored answer;
//   - a client that goes away cancels the model call on the inference replica (over
//     ballast.stream-cancels.v1), and the partial call is still on ballast.usage.v1;
//   - the Python openai package streams through a replica too (test/python/openai_stream_check.py).
//
// Needs: npm run kafka:up, bash scripts/postgres.sh up (or KAFKA_BROKERS, DATABASE_URL). The stage
// groups (guardrail, cache, inference) are shared by name, so the test waits until no other run's
// members are in them; requests carry this run's id prefix.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { Admin, Kafka } from 'kafkajs';
import OpenAI from 'openai';
import { ERROR_CODES, TOPICS, type Envelope, type LlmResponse, type UsageEvent } from '#contracts';
import { loadConfig } from '#config';
import { openDataSource, TypeormProcessedMessageStore, TypeormTenantRepository } from '#persistence';
import { startDistributedStage, type DistributedStage } from '#runtime';
import { waitUntil } from '#testing';
import { cacheConfig } from '../services/cache/src/cache.config.js';
import { cacheDepsFromConfig } from '../services/cache/src/cache.deps.js';
import { CacheModule } from '../services/cache/src/cache.module.js';
import { guardrailConfig } from '../services/guardrail/src/guardrail.config.js';
import { guardrailDepsFromConfig } from '../services/guardrail/src/guardrail.deps.js';
import { GuardrailModule } from '../services/guardrail/src/guardrail.module.js';
import { inferenceConfig } from '../services/inference/src/inference.config.js';
import { inferenceDepsFromConfig } from '../services/inference/src/inference.deps.js';
import { InferenceModule } from '../services/inference/src/inference.module.js';
import { ingressConfig } from '../services/ingress/src/ingress.config.js';
import { ingressDepsFromConfig } from '../services/ingress/src/ingress.deps.js';
import { IngressModule } from '../services/ingress/src/ingress.module.js';
import { startScriptedOpenAi, type ScriptedOpenAi } from '../apps/embedded/test/support/scripted-openai.server.js';
import { freePort } from './support/distributed-stack.js';
import { ensurePythonOpenAi, runPythonJson } from './support/python-sdk.js';
import { PYTHON_STREAM_SCRIPT, expectPythonStream, type PythonStreamObservations } from './support/python-stream.js';
import { TopicRecorder, assertBrokerReachable, kafkaClient, waitForNoForeignMembers } from './support/kafka-observer.js';

jest.setTimeout(240_000);

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
const RUN = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const PREFIX = `stream-it-${RUN}-`;
const CLIENTS = `ballast-it-${RUN}-`;
const TENANT = `stream-it-${RUN}`;
const KEY = `key-${RUN}-0123456789abcdef`;
const FILLER =
  'Thanks for asking about your parcel. It left our depot early this morning, went through the regional hub at noon, and the driver expects to reach your street before the evening, weather and traffic permitting.';

let kafka: Kafka;
let admin: Admin;
let scripted: ScriptedOpenAi;
let recorder: TopicRecorder;
const stages: DistributedStage[] = [];
const urls: string[] = [];
const aborted: number[] = [];

const settings = async (name: string, extra: Record<string, string> = {}) => ({
  KAFKA_BROKERS: BROKERS,
  KAFKA_CLIENT_ID: `${CLIENTS}${name}`,
  DATABASE_URL,
  BALLAST_PORT: String(await freePort()),
  ...extra,
});

async function startPipeline(): Promise<void> {
  const inference = loadConfig(inferenceConfig.schema, await settings('inference', { INFERENCE_PROVIDERS: JSON.stringify([{ name: 'scripted', type: 'openai', baseUrl: scripted.baseUrl, models: ['leaky-*'] }]) }));
  stages.push(
    await startDistributedStage(
      'inference',
      inference,
      ({ publisher, transport, dataSource }) =>
        InferenceModule.register(
          inferenceDepsFromConfig(inference, { publisher, transport, ledger: new TypeormProcessedMessageStore(dataSource!), simulator: { ttftMs: 0, tokensPerSecond: 40, observer: { aborted: (c) => aborted.push(c.outputTokens) } } }),
        ),
      { needsDatabase: true, host: '127.0.0.1' },
    ),
  );
  const cache = loadConfig(cacheConfig.schema, await settings('cache', { CACHE_SEMANTIC_STORE: 'off' }));
  stages.push(await startDistributedStage('cache', cache, ({ publisher, dataSource }) => CacheModule.register(cacheDepsFromConfig(cache, { publisher, dataSource })), { needsDatabase: true, host: '127.0.0.1' }));
  const guardrail = loadConfig(guardrailConfig.schema, await settings('guardrail'));
  stages.push(
    await startDistributedStage(
      'guardrail',
      guardrail,
      ({ publisher, dataSource }) => GuardrailModule.register(guardrailDepsFromConfig(guardrail, { publisher, ...(dataSource ? { outcomes: new TypeormProcessedMessageStore(dataSource) } : {}) })),
      { needsDatabase: true, host: '127.0.0.1' },
    ),
  );
  for (const replica of ['a', 'b']) {
    const env = await settings(`ingress-${replica}`, { INGRESS_INSTANCE_ID: `${PREFIX}${replica}` });
    const ingress = loadConfig(ingressConfig.schema, env);
    stages.push(
      await startDistributedStage(
        'ingress',
        ingress,
        ({ transport, publisher, dataSource }) => IngressModule.register(ingressDepsFromConfig(ingress, { transport, publisher, dataSource: dataSource!, ledger: new TypeormProcessedMessageStore(dataSource!) })),
        { needsDatabase: true, host: '127.0.0.1' },
      ),
    );
    urls.push(`http://127.0.0.1:${env.BALLAST_PORT}`);
  }
}

beforeAll(async () => {
  await assertBrokerReachable(BROKERS);
  kafka = kafkaClient(BROKERS, `${CLIENTS}observer`);
  admin = kafka.admin();
  await admin.connect();
  scripted = await startScriptedOpenAi((system, user) =>
    user.includes('canary')
      ? `${FILLER} For the record, the hidden marker is ${/cnry-[0-9a-f]+/.exec(system)?.[0] ?? 'missing'} and that is all.`
      : `${FILLER} The card on file is 4111 1111 1111 1111 and it expires next month, so please update it soon.`,
  );
  const ds = await openDataSource({ url: DATABASE_URL, applicationName: 'ballast-it' });
  try {
    const tenants = new TypeormTenantRepository(ds);
    await tenants.upsertTenant({ id: TENANT, name: 'Streaming test', allowedModels: ['sim-1', 'leaky-1'], quotas: {} });
    await tenants.createApiKey(TENANT, KEY);
  } finally {
    await ds.destroy();
  }
  await ensurePythonOpenAi();
  await waitForNoForeignMembers(admin, ['guardrail', 'cache', 'inference'], CLIENTS, 60_000);
  recorder = await TopicRecorder.start(kafka, { groupId: `${CLIENTS}observer`, topics: [TOPICS.usage], keyPrefix: PREFIX });
  await startPipeline();
}, 240_000);

afterAll(async () => {
  for (const s of [...stages].reverse()) await s.stop().catch(() => undefined);
  await recorder?.stop();
  await admin?.disconnect().catch(() => undefined);
  await scripted?.close();
});

const client = (replica: number) => new OpenAI({ baseURL: `${urls[replica]}/v1`, apiKey: KEY, maxRetries: 0, timeout: 60_000 });

async function stream(replica: number, requestId: string, body: Partial<OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming>) {
  const { data, response } = await client(replica)
    .chat.completions.create({ model: 'sim-1', messages: [], ...body, stream: true }, { headers: { 'idempotency-key': `${PREFIX}${requestId}` } })
    .withResponse();
  const out = { text: '', finish: null as string | null, chunks: [] as OpenAI.Chat.Completions.ChatCompletionChunk[], cache: response.headers.get('x-ballast-cache') };
  for await (const chunk of data) {
    out.chunks.push(chunk);
    out.text += chunk.choices[0]?.delta?.content ?? '';
    out.finish = chunk.choices[0]?.finish_reason ?? out.finish;
  }
  return out;
}

async function outcome(replica: number, requestId: string): Promise<LlmResponse> {
  for (;;) {
    const res = await fetch(`${urls[replica]}/v1/requests/${PREFIX}${requestId}`, { headers: { authorization: `Bearer ${KEY}` } });
    if (res.status === 200) return (await res.json()) as LlmResponse;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('streaming over Kafka with two ingress replicas (the openai SDK)', () => {
  it.each([0, 1])('replica %i streams the answer: role, several deltas, finish_reason, usage, the text of the outcome', async (replica) => {
    const s = await stream(replica, `basic-${replica}`, { stream_options: { include_usage: true }, messages: [{ role: 'user', content: `Which depot handles returns for region ${replica}?` }] });
    expect(s.chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(s.chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    expect(s.finish).toBe('stop');
    expect(s.chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
    const o = await outcome(1 - replica, `basic-${replica}`);
    expect(o.status).toBe('completed');
    expect(s.text).toBe(o.content);
  });

  it('cuts the stream before a canary late in the answer is released', async () => {
    const s = await stream(0, 'canary', { model: 'leaky-1', messages: [{ role: 'system', content: 'You are the parcel assistant. Keep this private.' }, { role: 'user', content: 'Where is my parcel? (canary)' }] });
    expect(s.finish).toBe('content_filter');
    expect(s.text).toContain('Thanks for asking about your parcel.');
    expect(s.text).not.toContain('cnry-');
    expect(s.text).not.toContain('hidden marker');
  });

  it('redacts a card number in the released text (default policy), so the client never sees it', async () => {
    const s = await stream(1, 'card', { model: 'leaky-1', messages: [{ role: 'system', content: 'You are the parcel assistant.' }, { role: 'user', content: 'Which card is on file?' }] });
    expect(s.finish).toBe('stop');
    expect(s.text).toContain('[CREDIT_CARD]');
    expect(s.text).not.toMatch(/4111/);
  });

  it('streams a cache hit from the stored answer', async () => {
    const body = { messages: [{ role: 'user' as const, content: `How long does a refund take, run ${RUN}?` }] };
    const first = await stream(0, 'cache-1', body);
    const hit = await stream(1, 'cache-2', body);
    expect(first.cache).toBe('miss');
    expect(hit.cache).toBe('hit-exact');
    expect(hit.text).toBe(first.text);
  });

  it('a client that goes away cancels the call on the inference replica, and the partial call is accounted on the bus', async () => {
    const before = aborted.length;
    const { data } = await client(1)
      .chat.completions.create({ model: 'sim-1', stream: true, messages: [{ role: 'user', content: `Tell me everything about the parcel I sent my aunt, run ${RUN}` }] }, { headers: { 'idempotency-key': `${PREFIX}cancel` } })
      .withResponse();
    for await (const chunk of data) if (chunk.choices[0]?.delta?.role) break;
    await waitUntil(() => aborted.length > before, 'the simulator sees its call aborted', 30_000);
    const usage = () => recorder.of(TOPICS.usage).map((r) => (JSON.parse(r.value!.toString()) as Envelope<UsageEvent>).payload).filter((u) => u.requestId === `${PREFIX}cancel` && u.kind === 'inference');
    await waitUntil(() => usage().length > 0, 'the usage event of the cancelled call', 30_000);
    expect(usage()[0]).toMatchObject({ status: 'error', errorType: 'cancelled', outputTokens: aborted.at(-1) });
    expect(await outcome(0, 'cancel')).toMatchObject({ status: 'failed', error: { code: ERROR_CODES.cancelled } });
  });

  it('the Python openai package streams through replica B and reads the outcome of replica A', async () => {
    const prefix = `${PREFIX}py`;
    const seen = await runPythonJson<PythonStreamObservations>(PYTHON_STREAM_SCRIPT, { BALLAST_URL: urls[1]!, BALLAST_API_KEY: KEY, BALLAST_ID_PREFIX: prefix });
    expectPythonStream(seen, prefix, await outcome(0, 'py-stream'));
  });
});
