// What a backend sees of Ballast on Kafka: a plain kafkajs producer and consumer, independent of
// the project's own transport, so a test checks the services from the outside.
import kafkajs, { type Admin, type Consumer, type IHeaders, type Kafka, type Message, type Producer } from 'kafkajs';
import { kafkaSecurityFrom } from '#messaging';
import { secureKafkaFromEnv, serviceKafkaEnv } from './secure-kafka.js';

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs;

/** A test client; on the secure broker (BALLAST_TEST_KAFKA_SECURE_DIR) it connects as the `admin` super user. */
export function kafkaClient(brokers: string, clientId: string): Kafka {
  const secure = secureKafkaFromEnv();
  return new KafkaClient({
    ...(secure ? kafkaSecurityFrom(serviceKafkaEnv(secure, 'admin')) : {}),
    brokers: brokers.split(',').map((b) => b.trim()).filter(Boolean),
    clientId,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { retries: 5, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
}

/** Fails with a message that says what to start when no broker answers. */
export async function assertBrokerReachable(brokers: string): Promise<void> {
  const admin = kafkaClient(brokers, 'ballast-it-probe').admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `No Kafka broker reachable at ${brokers} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start one with `npm run kafka:up` (bash scripts/kafka.sh up) or point KAFKA_BROKERS at a running cluster.',
      { cause: error },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** A backend's producer: acks from all replicas, the Java-compatible partitioner (same as the services). */
export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

export async function sendAll(producer: Producer, topic: string, messages: Message[], batchSize = 100): Promise<void> {
  for (let i = 0; i < messages.length; i += batchSize) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + batchSize) });
  }
}

export interface ObservedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
  receivedAt: number;
}

/**
 * Reads topics from the beginning with a fresh consumer group and keeps the records whose key
 * starts with `keyPrefix` (the key is the request id on every Ballast topic).
 */
export class TopicRecorder {
  readonly records = new Map<string, ObservedRecord[]>();
  /** Offset of the last record read per `topic:partition`, matching the prefix or not. */
  private readonly position = new Map<string, bigint>();
  private constructor(
    private readonly consumer: Consumer,
    private readonly topics: readonly string[],
  ) {}

  static async start(kafka: Kafka, options: { groupId: string; topics: string[]; keyPrefix: string }): Promise<TopicRecorder> {
    const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: 50, sessionTimeout: 30_000 });
    const recorder = new TopicRecorder(consumer, options.topics);
    for (const t of options.topics) recorder.records.set(t, []);
    const joined = new Promise<void>((resolve) => {
      const off = consumer.on(consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const list = recorder.records.get(batch.topic)!;
        const now = Date.now();
        const last = batch.messages[batch.messages.length - 1];
        if (last) recorder.position.set(`${batch.topic}:${batch.partition}`, BigInt(last.offset));
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8') ?? '';
          if (!key.startsWith(options.keyPrefix)) continue;
          list.push({ topic: batch.topic, partition: batch.partition, offset: m.offset, key, value: m.value, headers: decodeHeaders(m.headers), receivedAt: now });
        }
      },
    });
    await joined;
    return recorder;
  }

  /**
   * Resolves once everything that was in the topics when this was called has been read, so what the
   * recorder holds is current (reading a long history from the beginning takes a moment).
   */
  async caughtUp(admin: Admin, timeoutMs: number): Promise<void> {
    const targets: Array<[string, bigint]> = [];
    for (const topic of this.topics) {
      for (const p of await topicOffsets(admin, topic, timeoutMs)) {
        if (BigInt(p.high) > BigInt(p.low)) targets.push([`${topic}:${p.partition}`, BigInt(p.high) - 1n]);
      }
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = targets.filter(([key, last]) => (this.position.get(key) ?? -1n) < last);
      if (behind.length === 0) return;
      if (Date.now() > deadline) throw new Error(`the observer did not catch up with ${behind.map(([k]) => k).join(', ')} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  of(topic: string): ObservedRecord[] {
    return this.records.get(topic) ?? [];
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}

/**
 * A topic's offsets, retried while the broker answers with a retriable error: a fresh KRaft broker
 * names a partition's leader a moment before that leader serves it (NOT_LEADER_FOR_PARTITION).
 */
export async function topicOffsets(admin: Admin, topic: string, timeoutMs: number): ReturnType<Admin['fetchTopicOffsets']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable === true;
      if (!retriable || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Waits until the given consumer groups have committed everything on their input topics (no lag),
 * or `timeoutMs` passes; returns the lag left (0 when idle).
 */
export async function waitForGroupsIdle(admin: Admin, groups: Record<string, string[]>, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lag = Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    lag = 0;
    for (const [groupId, topics] of Object.entries(groups)) {
      for (const topic of topics) {
        const [committed, ends] = await Promise.all([admin.fetchOffsets({ groupId, topics: [topic] }), topicOffsets(admin, topic, timeoutMs)]);
        const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        for (const p of ends) lag += Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0));
      }
    }
    if (lag === 0) return 0;
    await new Promise((r) => setTimeout(r, 250));
  }
  return lag;
}

/**
 * Live members of `groups` whose client id does not start with `ownPrefix`: other instances of the
 * services on the same broker (a `stack:up`, a benchmark), which would share this test's partitions.
 */
export async function foreignMembers(admin: Admin, groups: readonly string[], ownPrefix: string): Promise<string[]> {
  const { groups: described } = await admin.describeGroups([...groups]);
  return described.flatMap((g) => g.members.filter((m) => !m.clientId.startsWith(ownPrefix)).map((m) => `${g.groupId}: ${m.clientId} (${m.clientHost})`));
}

/** Waits until no foreign member is left in `groups`; throws naming them after `timeoutMs`. */
export async function waitForNoForeignMembers(admin: Admin, groups: readonly string[], ownPrefix: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let foreign = await foreignMembers(admin, groups, ownPrefix);
  while (foreign.length > 0) {
    if (Date.now() > deadline) {
      throw new Error(
        `other instances of the services consume the same topics on this broker, and would share this test's partitions: ${foreign.join(', ')}. ` +
          'Stop them first (npm run stack:down, or the benchmark that started them).',
      );
    }
    await new Promise((r) => setTimeout(r, 1_000));
    foreign = await foreignMembers(admin, groups, ownPrefix);
  }
}
