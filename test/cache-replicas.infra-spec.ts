// Acceptance test for the semantic cache in distributed mode (issue 16): two cache replicas in the
// `cache` consumer group over the real Kafka broker, sharing the real Postgres (`cache_entries`) and
// the real Qdrant, each built by `startDistributedStage` + `cacheDepsFromConfig`, exactly what
// services/cache/src/main.ts runs. The test plays the stages around the cache: it publishes the
// pipeline state ingress and the input guardrail would (`ballast.cache-lookup.v1`), and answers a
// miss the way inference and the output guardrail would (`buildResponse` on `ballast.responses.v1`).
//
//   - a question is answered through replica A (its request key lands on A's partition);
//   - a paraphrase keyed onto B's partition is `hit-semantic` on B, with the similarity;
//   - the same paraphrase from another tenant, prompt version or model misses;
//   - both replicas stop, a new one starts: the question hits exactly, the paraphrase semantically.
//
// Needs: npm run kafka:up, bash scripts/postgres.sh up, npm run qdrant:up (or KAFKA_BROKERS,
// DATABASE_URL, QDRANT_URL). The topics and the `cache` group are shared by name, so everything is
// keyed by a request-id prefix and a tenant unique to this run.
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import kafkajs, { type Admin, type Kafka, type Producer } from 'kafkajs';
import { buildResponse, createEnvelope, HEADERS, PipelineState, TOPICS, type Completion, type Envelope } from '#contracts';
import { loadConfig } from '#config';
import { startDistributedStage, type DistributedStage } from '#runtime';
import { kafkaPartitionFor } from '../libs/messaging/src/murmur2.js';
import { cacheConfig } from '../services/cache/src/cache.config.js';
import { cacheDepsFromConfig } from '../services/cache/src/cache.deps.js';
import { CacheModule } from '../services/cache/src/cache.module.js';
import { freePort, sleep } from './support/distributed-stack.js';
import { TopicRecorder, assertBrokerReachable, connectProducer, foreignMembers, kafkaClient, waitForNoForeignMembers } from './support/kafka-observer.js';

jest.setTimeout(180_000);

const { AssignerProtocol } = kafkajs;
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
const QDRANT_URL = process.env.QDRANT_URL ?? 'http://127.0.0.1:6333';
const RUN = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const PREFIX = `cache-it-${RUN}-`;
const CLIENTS = `ballast-it-${RUN}-`;
const TENANT = `cache-it-${RUN}`;
const GROUP = 'cache';

const SYSTEM = 'You are a concise support agent for Acme.';
const QUESTION = 'How do I reset the password of my Acme router?';
const PARAPHRASE = 'how can I reset my Acme router password';
const ANSWER = 'Hold the reset button for 10 seconds, then sign in with the password on the label.';

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let recorder: TopicRecorder;
let partitions = 0;
const replicas = new Map<string, DistributedStage>();

/** One cache replica, built as services/cache/src/main.ts builds it, under its own Kafka client id. */
async function startReplica(name: string): Promise<void> {
  const config = loadConfig(cacheConfig.schema, {
    KAFKA_BROKERS: BROKERS,
    KAFKA_CLIENT_ID: `${CLIENTS}${name}`,
    DATABASE_URL,
    QDRANT_URL,
    BALLAST_PORT: String(await freePort()),
    // A loaded test machine can take longer than the 150 ms production budget; a timeout would be a miss.
    CACHE_SEMANTIC_TIMEOUT_MS: '3000',
  });
  const stage = await startDistributedStage('cache', config, ({ publisher, dataSource }) => CacheModule.register(cacheDepsFromConfig(config, { publisher, dataSource })), {
    needsDatabase: true,
    host: '127.0.0.1',
  });
  replicas.set(name, stage);
}

async function stopReplica(name: string): Promise<void> {
  await replicas.get(name)?.stop();
  replicas.delete(name);
}

/** The cache-lookup partitions each of this run's replicas owns, once the group settled with exactly `names` in it. */
async function waitForAssignment(names: string[], timeoutMs = 90_000): Promise<Map<string, number[]>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const foreign = await foreignMembers(admin, [GROUP], CLIENTS);
    if (foreign.length > 0) throw new Error(`other cache instances joined the ${GROUP} group and would take part of this run's partitions: ${foreign.join(', ')}`);
    const [group] = (await admin.describeGroups([GROUP])).groups;
    const owned = new Map<string, number[]>();
    for (const m of group?.members ?? []) {
      const name = m.clientId.slice(CLIENTS.length).replace(/-cache$/, '');
      const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
      owned.set(name, [...(owned.get(name) ?? []), ...(decoded?.assignment[TOPICS.cacheLookup] ?? [])]);
    }
    const total = [...owned.values()].reduce((n, p) => n + p.length, 0);
    const settled = group?.state === 'Stable' && owned.size === names.length && names.every((n) => (owned.get(n)?.length ?? 0) > 0) && total === partitions;
    if (settled) return owned;
    if (Date.now() > deadline) throw new Error(`the ${GROUP} group did not settle on ${names.join(', ')} within ${timeoutMs} ms: ${group?.state} ${JSON.stringify([...owned])}`);
    await sleep(250);
  }
}

let sequence = 0;
/** A request id of this run whose key lands on one of `partitionsOf` (the Java-compatible partitioner the producers use). */
function requestIdOn(partitionsOf: number[]): string {
  for (;;) {
    const id = `${PREFIX}${sequence++}`;
    if (partitionsOf.includes(kafkaPartitionFor(id, partitions))) return id;
  }
}

interface Ask {
  requestId: string;
  question: string;
  tenant?: string;
  version?: number;
  model?: string;
}

/** The pipeline state ingress and the input guardrail hand to the cache stage. */
function stateOf({ requestId, question, tenant = TENANT, version = 3, model = 'sim-1' }: Ask): PipelineState {
  return PipelineState.parse({
    request: { requestId, tenantId: tenant, prompt: { name: 'support-answer' }, variables: { question } },
    receivedAt: new Date().toISOString(),
    prompt: { name: 'support-answer', version, label: null, contentHash: 'h', model, params: {}, policies: { guardrail: {}, cache: { mode: 'semantic', threshold: 0.8 }, judge: {} } },
    rendered: { model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: question }], temperature: 0, maxTokens: 256 },
  });
}

async function publish(topic: string, requestId: string, tenantId: string, envelope: Envelope<unknown>): Promise<void> {
  await producer.send({ topic, acks: -1, messages: [{ key: requestId, value: JSON.stringify(envelope), headers: { [HEADERS.type]: envelope.type, [HEADERS.tenant]: tenantId } }] });
}

interface CacheResult {
  topic: string;
  partition: number;
  state: PipelineState;
}

/** Sends a look-up and waits for the cache stage's verdict: `guard-output` (a hit) or `inference` (a miss). */
async function ask(a: Ask, timeoutMs = 60_000): Promise<CacheResult> {
  const state = stateOf(a);
  const deadline = new Date(Date.now() + timeoutMs).toISOString();
  await publish(TOPICS.cacheLookup, a.requestId, state.request.tenantId, createEnvelope(TOPICS.cacheLookup, state, { requestId: a.requestId, tenantId: state.request.tenantId, deadline }));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const out = [...recorder.of(TOPICS.guardOutput), ...recorder.of(TOPICS.inference)].find((r) => r.key === a.requestId);
    if (out) return { topic: out.topic, partition: out.partition, state: PipelineState.parse((JSON.parse(out.value!.toString('utf8')) as Envelope<unknown>).payload) };
    if (Date.now() > until) throw new Error(`no cache verdict for ${a.requestId} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Inference and the output guardrail: the answer completes and passes, and goes out on `responses`, which the cache stores. */
async function answerMiss(miss: CacheResult, content: string): Promise<void> {
  const completion: Completion = { content, model: 'sim-1', provider: 'sim', finishReason: 'stop', usage: { inputTokens: 20, outputTokens: 18, cachedTokens: 0, costUsd: 0.0001, estimated: false }, ttftMs: 5, durationMs: 20 };
  const response = buildResponse(PipelineState.parse({ ...miss.state, completion }));
  await publish(TOPICS.responses, response.requestId, response.tenantId, createEnvelope(TOPICS.responses, response, { requestId: response.requestId, tenantId: response.tenantId }));
}

/** Polls until the answer is in the shared stores: its `cache_entries` row and its Qdrant point. */
async function waitStored(timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  const replica = replicas.values().next().value!;
  const filter = { must: [{ key: 'tenant', match: { value: TENANT } }] };
  for (;;) {
    const rows = (await replica.platform.dataSource!.query('SELECT count(*)::int AS n FROM cache_entries WHERE tenant_id = $1', [TENANT])) as { n: number }[];
    const points = await qdrantCount(filter);
    if (rows[0]!.n > 0 && points > 0) return;
    if (Date.now() > until) throw new Error(`the answer was not stored within ${timeoutMs} ms: ${rows[0]!.n} rows, ${points} points`);
    await sleep(200);
  }
}

/** Points of this run's tenant over every Ballast cache collection on the Qdrant server. */
async function qdrantCount(filter: unknown): Promise<number> {
  const { result } = (await (await fetch(`${QDRANT_URL}/collections`)).json()) as { result: { collections: { name: string }[] } };
  let n = 0;
  for (const { name } of result.collections.filter((c) => c.name.startsWith('ballast_cache_'))) {
    const res = await fetch(`${QDRANT_URL}/collections/${name}/points/count`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filter, exact: true }) });
    if (res.ok) n += ((await res.json()) as { result: { count: number } }).result.count;
  }
  return n;
}

/** Set by the scenario for the assertions below. */
const seen: {
  owned?: Map<string, number[]>;
  first?: CacheResult;
  onB?: CacheResult;
  scoped?: Record<'tenant' | 'version' | 'model', CacheResult>;
  afterRestart?: { exact: CacheResult; semantic: CacheResult };
} = {};

beforeAll(async () => {
  await assertBrokerReachable(BROKERS);
  const ready = await fetch(`${QDRANT_URL}/readyz`).then((r) => r.ok, () => false);
  if (!ready) throw new Error(`No Qdrant answers ${QDRANT_URL}/readyz: start one with npm run qdrant:up or set QDRANT_URL.`);
  kafka = kafkaClient(BROKERS, `${CLIENTS}backend`);
  admin = kafka.admin();
  await admin.connect();
  await waitForNoForeignMembers(admin, [GROUP], CLIENTS, 60_000);
  producer = await connectProducer(kafka);

  await Promise.all([startReplica('a'), startReplica('b')]);
  const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.cacheLookup] });
  partitions = meta.topics[0]!.partitions.length;
  recorder = await TopicRecorder.start(kafka, { groupId: `${CLIENTS}observer`, topics: [TOPICS.guardOutput, TOPICS.inference], keyPrefix: PREFIX });
  await recorder.caughtUp(admin, 60_000);
  seen.owned = await waitForAssignment(['a', 'b']);

  // Answered through replica A: A misses, "inference" answers, a replica stores it in Postgres and Qdrant.
  seen.first = await ask({ requestId: requestIdOn(seen.owned.get('a')!), question: QUESTION });
  await answerMiss(seen.first, ANSWER);
  await waitStored();

  seen.onB = await ask({ requestId: requestIdOn(seen.owned.get('b')!), question: PARAPHRASE });
  const onB = seen.owned.get('b')!;
  seen.scoped = {
    tenant: await ask({ requestId: requestIdOn(onB), question: PARAPHRASE, tenant: `${TENANT}-other` }),
    version: await ask({ requestId: requestIdOn(onB), question: PARAPHRASE, version: 4 }),
    model: await ask({ requestId: requestIdOn(onB), question: PARAPHRASE, model: 'sim-2' }),
  };
  // The group still had the same owners: the verdicts above came from the replicas the keys were chosen for.
  expect(await waitForAssignment(['a', 'b'])).toEqual(seen.owned);

  await Promise.all([stopReplica('a'), stopReplica('b')]);
  await startReplica('c');
  const all = [...Array(partitions).keys()];
  expect((await waitForAssignment(['c'])).get('c')!.sort((x, y) => x - y)).toEqual(all);
  seen.afterRestart = {
    exact: await ask({ requestId: requestIdOn(all), question: QUESTION }),
    semantic: await ask({ requestId: requestIdOn(all), question: PARAPHRASE }),
  };
});

afterAll(async () => {
  // This run's rows and points only: its tenants are unique to it.
  const dataSource = replicas.values().next().value?.platform.dataSource;
  await dataSource?.query('DELETE FROM cache_entries WHERE tenant_id = $1', [TENANT]).catch(() => undefined);
  await deleteRunPoints().catch(() => undefined);
  await Promise.allSettled([...replicas.keys()].map((name) => stopReplica(name)));
  await recorder?.stop();
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
});

async function deleteRunPoints(): Promise<void> {
  const filter = { must: [{ key: 'tenant', match: { value: TENANT } }] };
  const { result } = (await (await fetch(`${QDRANT_URL}/collections`)).json()) as { result: { collections: { name: string }[] } };
  for (const { name } of result.collections.filter((c) => c.name.startsWith('ballast_cache_'))) {
    await fetch(`${QDRANT_URL}/collections/${name}/points/delete?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filter }) });
  }
}

describe('semantic cache: two replicas over real Kafka, Postgres and Qdrant', () => {
  it('uses a topic with at least two partitions, split between the two replicas', () => {
    expect(partitions).toBeGreaterThanOrEqual(2);
    expect([...seen.owned!.keys()].sort()).toEqual(['a', 'b']);
  });

  it('the first question misses on replica A and goes to inference', () => {
    expect(seen.first!.topic).toBe(TOPICS.inference);
    expect(seen.first!.state.cache?.outcome).toBe('miss');
  });

  it('a paraphrase whose request lands on replica B is a semantic hit there, with the similarity', () => {
    expect(seen.onB!.topic).toBe(TOPICS.guardOutput);
    expect(seen.onB!.state.cache).toEqual(expect.objectContaining({ outcome: 'hit-semantic', threshold: 0.8 }));
    expect(seen.onB!.state.cache?.similarity).toBeGreaterThanOrEqual(0.8);
    expect(seen.onB!.state.completion?.content).toBe(ANSWER);
  });

  it('the same paraphrase from another tenant, prompt version or model misses', () => {
    for (const [scope, result] of Object.entries(seen.scoped!)) {
      expect({ scope, topic: result.topic, outcome: result.state.cache?.outcome }).toEqual({ scope, topic: TOPICS.inference, outcome: 'miss' });
    }
  });

  it('after both replicas stopped, a new replica hits the question exactly and the paraphrase semantically', () => {
    const { exact, semantic } = seen.afterRestart!;
    expect({ topic: exact.topic, outcome: exact.state.cache?.outcome, content: exact.state.completion?.content }).toEqual({ topic: TOPICS.guardOutput, outcome: 'hit-exact', content: ANSWER });
    expect({ topic: semantic.topic, outcome: semantic.state.cache?.outcome, content: semantic.state.completion?.content }).toEqual({ topic: TOPICS.guardOutput, outcome: 'hit-semantic', content: ANSWER });
    expect(semantic.state.cache?.similarity).toBeGreaterThanOrEqual(0.8);
  });
});
