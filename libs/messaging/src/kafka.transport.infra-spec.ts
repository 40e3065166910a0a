import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import kafkajs from 'kafkajs';
import { KafkaTransport } from './kafka/index.js';
import { describeTransportContract } from '../test/transport.contract.js';
import { waitUntil } from '#testing';

// Group joins and leaves on a real broker take a moment; every test waits for a few of them.
// (In ESM mode `jest` is not a global: it comes from @jest/globals.)
jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);

/** Fails every test of this file with a clear message (never skips) when no broker answers. */
async function assertBrokerReachable(): Promise<void> {
  const admin = new kafkajs.Kafka({
    brokers,
    clientId: 'ballast-infra-probe',
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
    retry: { retries: 2, initialRetryTime: 200 },
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `No Kafka broker reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start one with `npm run kafka:up` (bash scripts/kafka.sh up) or point KAFKA_BROKERS at a running cluster.',
      { cause: error },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

beforeAll(assertBrokerReachable);

const run = randomUUID().slice(0, 8);
let clients = 0;

describeTransportContract('kafka', () => ({
  connect: async () => new KafkaTransport({ brokers, clientId: `ballast-contract-${run}-${++clients}` }),
  timeoutMs: 60_000,
}));

/** What the contract suite cannot see from the outside: committed offsets, heartbeats, rebalances. */
describe('KafkaTransport on a real broker', () => {
  const opened: KafkaTransport[] = [];
  let admin: kafkajs.Admin;

  function connect(overrides: Partial<ConstructorParameters<typeof KafkaTransport>[0]> = {}): KafkaTransport {
    const t = new KafkaTransport({ brokers, clientId: `ballast-kafka-spec-${run}-${++clients}`, ...overrides });
    opened.push(t);
    return t;
  }
  async function freshTopic(label: string, partitions: number): Promise<string> {
    const topic = `kafka-spec.${label}.${run}`;
    await connect().ensureTopics([{ name: topic, partitions }]);
    return topic;
  }
  /** Committed offset (next to read) per partition; 0 where nothing was committed. */
  async function committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
  }
  async function endOffsets(topic: string): Promise<Map<number, number>> {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  }
  const record = (topic: string, key: string, body: string, headers: Record<string, string> = {}) => ({
    topic,
    key,
    value: Buffer.from(body),
    headers,
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    admin = new kafkajs.Kafka({
      brokers,
      clientId: `ballast-kafka-spec-admin-${run}`,
      retry: { retries: 2, initialRetryTime: 200 },
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await Promise.all(opened.map((t) => t.close()));
    await admin?.disconnect();
  });

  it('round-trips key, value and headers, and creating an existing topic again is a no-op', async () => {
    const topic = await freshTopic('roundtrip', 3);
    const bus = connect();
    await bus.ensureTopics([{ name: topic, partitions: 3 }]);
    const sentAt = Date.now();
    await bus.send([record(topic, 'a', 'one', { traceparent: '00-abc-def-01', 'ballast-type': 'x' }), record(topic, 'a', 'two')]);
    const seen: Array<{ key: string; value: string; headers: Record<string, string>; partition: number; timestamp: number }> = [];
    const handle = await bus.consume({
      groupId: `roundtrip-${run}`,
      topics: [topic],
      concurrency: 2,
      fromBeginning: true,
      handle: async (r) => {
        seen.push({ key: r.key, value: r.value.toString(), headers: r.headers, partition: r.partition, timestamp: r.timestamp });
      },
    });
    await waitUntil(() => seen.length >= 2, 'both records', 30_000);
    await handle.stop();
    expect(seen.map((s) => s.value)).toEqual(['one', 'two']);
    expect(seen[0]!.headers).toEqual({ traceparent: '00-abc-def-01', 'ballast-type': 'x' });
    expect(seen[1]!.headers).toEqual({});
    expect(seen[0]!.partition).toBe(seen[1]!.partition);
    expect(seen[0]!.timestamp).toBeGreaterThanOrEqual(sentAt - 1_000);
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(metadata!.partitions).toHaveLength(3);
  });

  it('delivers a record sent right after consume() resolved, without fromBeginning', async () => {
    const topic = await freshTopic('latest', 3);
    const bus = connect();
    await bus.send([record(topic, 'old', 'before')]);
    const seen: string[] = [];
    const handle = await bus.consume({
      groupId: `latest-${run}`,
      topics: [topic],
      concurrency: 2,
      handle: async (r) => {
        seen.push(r.value.toString());
      },
    });
    await bus.send([record(topic, 'new', 'after')]);
    await waitUntil(() => seen.includes('after'), 'the record sent after joining', 30_000);
    await handle.stop();
    expect(seen).toEqual(['after']);
  });

  it('with a large minBytes, still delivers a lone record once the fetch wait runs out', async () => {
    const topic = await freshTopic('min-bytes', 1);
    const bus = connect({ minBytes: 1_048_576, maxWaitTimeInMs: 300 });
    const seen: string[] = [];
    const handle = await bus.consume({
      groupId: `min-bytes-${run}`,
      topics: [topic],
      concurrency: 4,
      handle: async (r) => {
        seen.push(r.value.toString());
      },
    });
    const producer = connect();
    await producer.send([record(topic, 'k', 'lone')]);
    // Far below 1 MiB: the broker answers when the wait runs out, and the record arrives all the same.
    await waitUntil(() => seen.includes('lone'), 'the lone record', 30_000);
    await handle.stop();
    expect(seen).toEqual(['lone']);
  });

  it('commits exactly the records that finished before a graceful stop', async () => {
    const topic = await freshTopic('stop-commit', 1);
    const bus = connect();
    await bus.send(Array.from({ length: 30 }, (_, i) => record(topic, `k${i}`, `${i}`)));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const finished: number[] = [];
    let started = 0;
    const groupId = `stop-commit-${run}`;
    const handle = await bus.consume({
      groupId,
      topics: [topic],
      concurrency: 4,
      fromBeginning: true,
      handle: async (r) => {
        started++;
        await gate;
        finished.push(Number(r.offset));
      },
    });
    await waitUntil(() => started >= 4, 'four records in flight', 30_000);
    const stopping = handle.stop();
    await sleep(50);
    release();
    await stopping;
    expect(started).toBe(4);
    expect(finished.sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect((await committed(groupId, topic)).get(0)).toBe(4);
  });

  it('holds the commit at a failing record, pauses and redelivers it, while other partitions keep flowing', async () => {
    const topic = await freshTopic('failing', 3);
    const bus = connect({ redeliveryPauseMs: 50 });
    const keys = Array.from({ length: 12 }, (_, i) => `f${i}`);
    await bus.send(keys.flatMap((k) => [0, 1, 2].map((n) => record(topic, k, `${k}:${n}`))));
    const groupId = `failing-${run}`;
    const handled = new Set<string>();
    const failures: Array<{ at: number }> = [];
    let badPlace: { partition: number; offset: number } | undefined;
    const handle = await bus.consume({
      groupId,
      topics: [topic],
      concurrency: 4,
      fromBeginning: true,
      handle: async (r) => {
        const v = r.value.toString();
        if (v === 'f0:1' && failures.length < 3) {
          badPlace = { partition: r.partition, offset: Number(r.offset) };
          failures.push({ at: Date.now() });
          throw new Error('not yet');
        }
        handled.add(v);
      },
    });
    await waitUntil(() => failures.length >= 2, 'two failed attempts', 30_000);
    const whileFailing = await committed(groupId, topic);
    expect(whileFailing.get(badPlace!.partition)).toBeLessThanOrEqual(badPlace!.offset);
    await waitUntil(() => handled.size === keys.length * 3, 'every record', 30_000);
    await handle.stop();
    expect(failures).toHaveLength(3);
    // The pause before a redelivery doubles: 50 ms, then 100 ms.
    expect(failures[1]!.at - failures[0]!.at).toBeGreaterThanOrEqual(40);
    expect(failures[2]!.at - failures[1]!.at).toBeGreaterThanOrEqual(90);
    expect(await committed(groupId, topic)).toEqual(await endOffsets(topic));
  });

  it('never runs one key on two members at once, nor skips ahead, while members join and leave', async () => {
    const topic = await freshTopic('rebalance', 6);
    const keys = Array.from({ length: 10 }, (_, i) => `rb${i}`);
    const perKey = 40;
    await connect().send(Array.from({ length: perKey }, (_, n) => keys.map((k) => record(topic, k, `${k}:${n}`))).flat());
    const groupId = `rebalance-${run}`;
    const running = new Map<string, number>();
    const highest = new Map<string, number>();
    const violations: string[] = [];
    let handledCount = 0;
    const handle = async (r: { key: string; value: Buffer }) => {
      const n = Number(r.value.toString().split(':')[1]);
      if (running.get(r.key)) violations.push(`${r.key} ran twice at once`);
      running.set(r.key, (running.get(r.key) ?? 0) + 1);
      if (n > (highest.get(r.key) ?? -1) + 1) violations.push(`${r.key}:${n} before ${r.key}:${n - 1}`);
      await sleep(3);
      highest.set(r.key, Math.max(highest.get(r.key) ?? -1, n));
      running.set(r.key, running.get(r.key)! - 1);
      handledCount++;
    };
    const a = await connect().consume({ groupId, topics: [topic], concurrency: 4, fromBeginning: true, handle });
    await waitUntil(() => handledCount >= 60, 'the first member to make progress', 30_000);
    const b = await connect().consume({ groupId, topics: [topic], concurrency: 4, fromBeginning: true, handle });
    await waitUntil(() => handledCount >= 200, 'progress with two members', 30_000);
    await a.stop();
    await waitUntil(() => keys.every((k) => highest.get(k) === perKey - 1), 'every record', 60_000);
    await b.stop();
    expect(violations).toEqual([]);
    expect(await committed(groupId, topic)).toEqual(await endOffsets(topic));
  });

  it('keeps its membership while a handler outlives the session timeout', async () => {
    const topic = await freshTopic('long-handler', 1);
    const bus = connect({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
    await bus.send([record(topic, 'slow', 'slow'), record(topic, 'next', 'next')]);
    const groupId = `long-handler-${run}`;
    const calls: string[] = [];
    const handle = await bus.consume({
      groupId,
      topics: [topic],
      concurrency: 1,
      fromBeginning: true,
      handle: async (r) => {
        calls.push(r.value.toString());
        // Never calls control.heartbeat(): the transport heartbeats while records run.
        if (r.value.toString() === 'slow') await sleep(8_000);
      },
    });
    await waitUntil(() => calls.includes('next'), 'the record after the slow one', 30_000);
    await sleep(300);
    await handle.stop();
    expect(calls).toEqual(['slow', 'next']);
    expect((await committed(groupId, topic)).get(0)).toBe(2);
  });

  it('lets in-flight handlers publish their output while the transport closes', async () => {
    const input = await freshTopic('close-in', 3);
    const output = await freshTopic('close-out', 3);
    await connect().send(Array.from({ length: 6 }, (_, i) => record(input, `c${i}`, `${i}`)));
    const bus = connect();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const groupId = `close-${run}`;
    await bus.consume({
      groupId,
      topics: [input],
      concurrency: 2,
      fromBeginning: true,
      handle: async (r) => {
        started++;
        await gate;
        await bus.send([record(output, r.key, `out:${r.value.toString()}`)]);
      },
    });
    await waitUntil(() => started >= 2, 'two records in flight', 30_000);
    const closing = bus.close();
    release();
    await closing;
    const outputs = [...(await endOffsets(output)).values()].reduce((a, b) => a + b, 0);
    const commits = [...(await committed(groupId, input)).values()].reduce((a, b) => a + b, 0);
    expect(outputs).toBe(2);
    expect(commits).toBe(2);
    await expect(bus.send([record(output, 'late', 'late')])).rejects.toThrow(/closed/);
  });
});
