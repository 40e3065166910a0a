import { randomUUID } from 'node:crypto';
import { HEADERS, TOPICS, createEnvelope, type LlmRequestInput } from '#contracts';
import { StageConsumer, type EnvelopeHandler } from '../src/stage-consumer.js';
import type { ReceivedRecord, Transport } from '../src/transport.js';
import { waitUntil } from '#testing';

export interface TransportContractSetup {
  /** A new client of the same bus, as a separate process would have. */
  connect(): Promise<Transport>;
  /** How long to wait for deliveries (a real broker needs longer for group joins). */
  timeoutMs: number;
}

const PARTITIONS = 3;

/**
 * The behaviour every `Transport` must show, run against the in-memory bus in `npm test` and
 * against a real Kafka broker in `npm run test:infra`, so the fake cannot drift from the real thing.
 */
export function describeTransportContract(name: string, setup: () => TransportContractSetup): void {
  describe(`Transport contract: ${name}`, () => {
    let env: TransportContractSetup;
    const opened: Transport[] = [];
    const run = randomUUID().slice(0, 8);

    async function connect(): Promise<Transport> {
      const t = await env.connect();
      opened.push(t);
      return t;
    }
    async function freshTopic(label: string): Promise<string> {
      const topic = `contract.${label}.${run}`;
      const admin = await connect();
      await admin.ensureTopics([{ name: topic, partitions: PARTITIONS }, { name: TOPICS.dlq, partitions: PARTITIONS }]);
      return topic;
    }
    function record(topic: string, key: string, body: string) {
      return { topic, key, value: Buffer.from(body), headers: {} };
    }
    /** Reads every record of `topic` whose key starts with `keyPrefix`, through a fresh consumer group. */
    async function readBack(topic: string, keyPrefix: string, expected: number): Promise<ReceivedRecord[]> {
      const t = await connect();
      const seen: ReceivedRecord[] = [];
      const handle = await t.consume({
        groupId: `reader-${randomUUID()}`,
        topics: [topic],
        concurrency: 4,
        fromBeginning: true,
        handle: async (r) => {
          if (r.key.startsWith(keyPrefix)) seen.push(r);
        },
      });
      try {
        await waitUntil(() => seen.length >= expected, `${expected} records on ${topic}`, env.timeoutMs);
      } finally {
        await handle.stop();
      }
      return seen;
    }

    beforeAll(() => {
      env = setup();
    });
    afterAll(async () => {
      await Promise.all(opened.map((t) => t.close()));
    });

    it('delivers records with the same key in the order they were sent, while keys run in parallel', async () => {
      const topic = await freshTopic('order');
      const producer = await connect();
      const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
      const sent = Array.from({ length: 25 }, (_, n) => keys.map((k) => record(topic, k, `${k}:${n}`))).flat();
      await producer.send(sent);
      const consumer = await connect();
      const byKey = new Map<string, number[]>();
      let maxConcurrent = 0;
      let running = 0;
      const handle = await consumer.consume({
        groupId: `order-${run}`,
        topics: [topic],
        concurrency: 8,
        fromBeginning: true,
        handle: async (r) => {
          running++;
          maxConcurrent = Math.max(maxConcurrent, running);
          await new Promise((res) => setTimeout(res, Math.random() * 3));
          const [k, n] = r.value.toString().split(':');
          byKey.set(k!, [...(byKey.get(k!) ?? []), Number(n)]);
          running--;
        },
      });
      await waitUntil(() => [...byKey.values()].reduce((a, v) => a + v.length, 0) >= sent.length, 'all records', env.timeoutMs);
      await handle.stop();
      for (const k of keys) expect(byKey.get(k)).toEqual(Array.from({ length: 25 }, (_, n) => n));
      expect(maxConcurrent).toBeGreaterThan(1);
    });

    it('delivers a record again after its handler failed, and commits nothing past it meanwhile', async () => {
      const topic = await freshTopic('redeliver');
      const producer = await connect();
      await producer.send(Array.from({ length: 10 }, (_, i) => record(topic, `r${i}`, `v${i}`)));
      const consumer = await connect();
      const attempts = new Map<string, number>();
      const handled = new Set<string>();
      const handle = await consumer.consume({
        groupId: `redeliver-${run}`,
        topics: [topic],
        concurrency: 4,
        fromBeginning: true,
        handle: async (r) => {
          const n = (attempts.get(r.key) ?? 0) + 1;
          attempts.set(r.key, n);
          if (r.key === 'r3' && n === 1) throw new Error('handler crashed');
          handled.add(r.key);
        },
      });
      await waitUntil(() => handled.size === 10, 'every record handled', env.timeoutMs);
      await handle.stop();
      expect(attempts.get('r3')).toBeGreaterThanOrEqual(2);
      expect(handled.has('r3')).toBe(true);
    });

    it('reports consumer lag per group and topic: N unconsumed records are a lag of N, and 0 once the group has handled them', async () => {
      const topic = await freshTopic('lag');
      const producer = await connect();
      const total = 17;
      await producer.send(Array.from({ length: total }, (_, i) => record(topic, `l${i}`, `${i}`)));
      const t = await connect();
      const groupId = `lag-${run}`;
      expect(await t.consumerLag!([{ groupId, topics: [topic] }])).toEqual([{ groupId, topic, lag: total }]);

      let handled = 0;
      const consumer = await t.consume({ groupId, topics: [topic], concurrency: 4, fromBeginning: true, handle: async () => void handled++ });
      await waitUntil(() => handled >= total, 'every record of the lag topic', env.timeoutMs);
      await consumer.stop();
      expect(await t.consumerLag!([{ groupId, topics: [topic] }])).toEqual([{ groupId, topic, lag: 0 }]);
      await producer.send([record(topic, 'late', 'late')]);
      expect(await t.consumerLag!([{ groupId, topics: [topic] }])).toEqual([{ groupId, topic, lag: 1 }]);
    });

    it('loses nothing when a consumer stops part-way and another member of the group takes over', async () => {
      const topic = await freshTopic('restart');
      const producer = await connect();
      const total = 60;
      await producer.send(Array.from({ length: total }, (_, i) => record(topic, `m${i % 12}`, `${i}`)));
      const handled = new Set<string>();
      const first = await connect();
      let firstCount = 0;
      const a = await first.consume({
        groupId: `restart-${run}`,
        topics: [topic],
        concurrency: 2,
        fromBeginning: true,
        handle: async (r) => {
          firstCount++;
          await new Promise((res) => setTimeout(res, 2));
          handled.add(r.value.toString());
        },
      });
      await waitUntil(() => firstCount >= 15, 'the first consumer to make progress', env.timeoutMs);
      await a.stop();
      await first.close();
      expect(handled.size).toBeLessThan(total);
      const second = await connect();
      const b = await second.consume({
        groupId: `restart-${run}`,
        topics: [topic],
        concurrency: 4,
        fromBeginning: true,
        handle: async (r) => {
          handled.add(r.value.toString());
        },
      });
      await waitUntil(() => handled.size === total, 'every record after the restart', env.timeoutMs);
      await b.stop();
      expect(handled.size).toBe(total);
    });

    it('finishes in-flight records on a graceful stop and commits them, so a restart does not redo them', async () => {
      const topic = await freshTopic('shutdown');
      const producer = await connect();
      await producer.send(Array.from({ length: 20 }, (_, i) => record(topic, `s${i}`, `${i}`)));
      const started = new Set<string>();
      const finished = new Set<string>();
      const consumer = await connect();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const handle = await consumer.consume({
        groupId: `shutdown-${run}`,
        topics: [topic],
        concurrency: 4,
        fromBeginning: true,
        handle: async (r) => {
          started.add(r.value.toString());
          await gate;
          finished.add(r.value.toString());
        },
      });
      await waitUntil(() => started.size >= 1, 'work in flight', env.timeoutMs);
      const stopping = handle.stop();
      release();
      await stopping;
      expect([...started].every((v) => finished.has(v))).toBe(true);
      const doneBeforeStop = new Set(finished);

      const again = new Set<string>();
      const next = await connect();
      const h2 = await next.consume({
        groupId: `shutdown-${run}`,
        topics: [topic],
        concurrency: 4,
        fromBeginning: true,
        handle: async (r) => {
          again.add(r.value.toString());
        },
      });
      await waitUntil(() => doneBeforeStop.size + again.size >= 20, 'the rest after restart', env.timeoutMs);
      await h2.stop();
      const all = new Set([...doneBeforeStop, ...again]);
      expect(all.size).toBe(20);
      expect([...again].filter((v) => doneBeforeStop.has(v))).toEqual([]);
    });

    describe('through a StageConsumer', () => {
      function request(requestId: string): LlmRequestInput {
        return { requestId, tenantId: 'demo', prompt: { name: 'support-answer' }, variables: { question: 'hi' } };
      }

      it('dead-letters poison messages with the reason headers while the rest of the partition keeps flowing', async () => {
        const topic = await freshTopic('poison');
        const bus = await connect();
        const key = `poison-${run}`;
        const good = () => createEnvelope(TOPICS.requests, request(`${key}`) as never, { requestId: key, tenantId: 'demo' });
        const valid = [good(), good(), good()];
        await bus.send([
          { topic, key, value: Buffer.from(JSON.stringify(valid[0])), headers: {} },
          { topic, key, value: Buffer.from('{not json'), headers: {} },
          { topic, key, value: Buffer.from(JSON.stringify({ ...valid[1], tenantId: 42 })), headers: {} },
          { topic, key, value: Buffer.from(JSON.stringify(valid[1])), headers: {} },
          { topic, key, value: Buffer.from(JSON.stringify(valid[2])), headers: {} },
        ]);
        const seen: string[] = [];
        const handler: EnvelopeHandler = async (e) => {
          seen.push(e.id);
        };
        const stage = new StageConsumer(await connect(), {
          stage: 'contract',
          groupId: `poison-${run}`,
          handlers: new Map([[topic, handler]]),
          concurrency: 4,
        });
        await stage.start();
        await waitUntil(() => seen.length >= 3, 'the valid messages', env.timeoutMs);
        await stage.stop();
        expect(seen).toEqual(valid.map((v) => v.id));

        const dead = await readBack(TOPICS.dlq, key, 2);
        const classes = dead.map((d) => d.headers[HEADERS.errorClass]).sort();
        expect(classes).toEqual(['ballast.malformed_message', 'ballast.schema_invalid']);
        for (const d of dead) {
          expect(d.headers[HEADERS.originalTopic]).toBe(topic);
          expect(d.headers[HEADERS.failedStage]).toBe('contract');
          expect(d.headers[HEADERS.errorReason]!.length).toBeGreaterThan(10);
        }
        const schemaReason = dead.find((d) => d.headers[HEADERS.errorClass] === 'ballast.schema_invalid')!;
        expect(schemaReason.headers[HEADERS.errorReason]).toContain('tenantId');
        expect(dead.find((d) => d.headers[HEADERS.errorClass] === 'ballast.malformed_message')!.value.toString()).toBe('{not json');
      });

      it('retries a transient handler failure with backoff, and dead-letters when retries run out', async () => {
        const topic = await freshTopic('transient');
        const bus = await connect();
        const flaky = `flaky-${run}`;
        const broken = `broken-${run}`;
        await bus.send(
          [flaky, broken].map((id) => ({
            topic,
            key: id,
            value: Buffer.from(JSON.stringify(createEnvelope(TOPICS.requests, request(id) as never, { requestId: id, tenantId: 'demo' }))),
            headers: {},
          })),
        );
        const calls = new Map<string, number>();
        const handled: string[] = [];
        const handler: EnvelopeHandler = async (e) => {
          const n = (calls.get(e.requestId) ?? 0) + 1;
          calls.set(e.requestId, n);
          if (e.requestId === flaky && n < 3) throw Object.assign(new Error('upstream 503'), { status: 503 });
          if (e.requestId === broken) throw Object.assign(new Error('upstream 503'), { status: 503 });
          handled.push(e.requestId);
        };
        const stage = new StageConsumer(await connect(), {
          stage: 'contract',
          groupId: `transient-${run}`,
          handlers: new Map([[topic, handler]]),
          concurrency: 2,
          retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        });
        await stage.start();
        const dead = await readBack(TOPICS.dlq, broken, 1);
        await waitUntil(() => handled.includes(flaky), 'the flaky message', env.timeoutMs);
        await stage.stop();
        expect(calls.get(flaky)).toBe(3);
        expect(calls.get(broken)).toBe(4);
        expect(dead[0]!.headers[HEADERS.errorReason]).toContain('gave up after 4 attempts');
      });
    });
  });
}

