import kafkajs, { type Admin, type Kafka, type KafkaConfig, type Message, type Producer, type logLevel as KafkaJsLogLevel } from 'kafkajs';
import type { ConsumeOptions, ConsumerHandle, ConsumerLag, OutgoingRecord, TopicSpec, Transport } from '../transport.js';
import { KafkaGroupConsumer, type GroupConsumerSettings } from './kafka-group-consumer.js';
import { SendCoalescer } from './send-coalescer.js';
import { noDelaySocketFactory } from './socket-factory.js';
import { quietLogCreator, toKafkaLogLevel, transportLog, type KafkaLogLevel, type LineWriter, type TransportLog } from './kafka-logging.js';

const { Kafka: KafkaClient, Partitioners, CompressionTypes } = kafkajs;

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  /** kafkajs and transport log level; lines go to stderr as JSON. Default `warn`. */
  logLevel?: KafkaLogLevel;
  /** Where log lines go (one JSON object per line). Default: process.stderr. */
  logWriter?: LineWriter;
  /** TCP connect timeout per broker. Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** Per-request timeout. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** TLS and SASL, passed to kafkajs as they are. */
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  /** Replication factor for topics created by `ensureTopics`. Default 1 (a single-node broker). */
  replicationFactor?: number;
  /** Lets a send or a subscription create a missing topic with the broker's defaults (like the in-memory bus does). Default true. */
  allowAutoTopicCreation?: boolean;
  /**
   * Longest a fetch waits on the broker when there is nothing to read. With `minBytes: 1` the broker
   * answers as soon as a record arrives, so this does not add latency; it bounds how long a stop or
   * a resumed partition waits for the fetch in progress, and sets the idle polling cost (about
   * 70 ms of CPU per second per idle consumer at 20 ms, a third of that at 100 ms). Default 50 ms.
   */
  maxWaitTimeInMs?: number;
  /**
   * Bytes a fetch waits for (up to `maxWaitTimeInMs`) before the broker answers. Default 1: answer
   * as soon as anything arrives, for the request path. Consumers off the request path (metrics, the
   * judge) raise it so each fetch, batch and commit carries many records instead of a few.
   */
  minBytes?: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  /** kafkajs only heartbeats from its fetch loop; this transport also heartbeats while records run. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** Upper bound for partitions handled at once by one consumer (kafkajs `partitionsConsumedConcurrently`). Default 16. */
  maxPartitionsConsumedConcurrently?: number;
  /** How long `consume()` waits to join the group. Default 30000 ms. */
  joinTimeoutMs?: number;
  /** First pause before a partition re-reads a record whose handler rejected; doubles per repeat. Default 100 ms. */
  redeliveryPauseMs?: number;
  maxRedeliveryPauseMs?: number;
  /**
   * Produce requests in flight at once; sends made meanwhile are merged into the next request
   * (no linger: a send never waits while fewer are in flight). Default 1.
   */
  maxInFlightSends?: number;
  /** Commits of a batch still running are sent at most this often; a batch's end commits at once. Default 200 ms. */
  commitIntervalMs?: number;
}

/**
 * The Kafka `Transport` (kafkajs). Same semantics as the in-memory bus, and the same building blocks
 * for them: `KeyedScheduler` for per-key order, `OffsetTracker` for the commit watermark.
 *
 * Producer: one per transport, created on first send and shared; acks=all, no compression, the
 * Java-compatible murmur2 partitioner (a key lands on the same partition whichever client sent it),
 * no linger. Concurrent sends are merged into one produce request while one is in flight
 * (`SendCoalescer`), which also means one request in flight per transport, so a retried request
 * cannot overtake a later one. It is not `idempotent`: kafkajs marks that experimental, and it only
 * removes duplicates of the producer's own internal retries, while Ballast is at-least-once end to
 * end anyway (a redelivered record produces its output again; consumers dedupe by requestId + stage).
 *
 * Consumers: see `KafkaGroupConsumer` for commits, redelivery and shutdown.
 */
export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly log: TransportLog;
  private readonly settings: GroupConsumerSettings;
  private readonly replicationFactor: number;
  private readonly allowAutoTopicCreation: boolean;
  private producer?: Promise<Producer>;
  private admin?: Promise<Admin>;
  private readonly consumers = new Set<KafkaGroupConsumer>();
  private readonly sender: SendCoalescer;
  private closing?: Promise<void>;
  /** Set once the consumers have stopped: sends stay possible while in-flight handlers finish. */
  private closed = false;

  constructor(private readonly options: KafkaTransportOptions) {
    if (options.brokers.length === 0) throw new Error('KafkaTransport needs at least one broker');
    const level = options.logLevel ?? 'warn';
    this.log = transportLog(level, options.logWriter);
    this.kafka = new KafkaClient({
      brokers: options.brokers,
      clientId: options.clientId,
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      ssl: options.ssl,
      sasl: options.sasl,
      socketFactory: noDelaySocketFactory,
      logLevel: toKafkaLogLevel(level) as KafkaJsLogLevel,
      logCreator: quietLogCreator(options.logWriter),
    });
    this.sender = new SendCoalescer((records) => this.produce(records), {
      maxInFlight: options.maxInFlightSends ?? 1,
      maxBytes: 512 * 1024,
    });
    this.replicationFactor = options.replicationFactor ?? 1;
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.settings = {
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      maxWaitTimeInMs: options.maxWaitTimeInMs ?? 50,
      minBytes: options.minBytes ?? 1,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      maxPartitionsConsumedConcurrently: options.maxPartitionsConsumedConcurrently ?? 16,
      joinTimeoutMs: options.joinTimeoutMs ?? 30_000,
      redeliveryPauseMs: options.redeliveryPauseMs ?? 100,
      maxRedeliveryPauseMs: options.maxRedeliveryPauseMs ?? 5_000,
      commitIntervalMs: options.commitIntervalMs ?? 200,
      brokers: options.brokers,
    };
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    this.assertNotClosed();
    const specs = new Map<string, TopicSpec>();
    for (const t of topics) if (!specs.has(t.name)) specs.set(t.name, t);
    if (specs.size === 0) return;
    const admin = await this.getAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = [...specs.values()].filter((t) => !existing.has(t.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: this.replicationFactor })),
      waitForLeaders: true,
    });
    // createTopics skips its own wait when another client created (some of) them first, and a fresh
    // KRaft broker can publish a leader in its metadata a moment before it serves that partition
    // (NOT_LEADER_FOR_PARTITION meanwhile): wait here until every partition answers.
    await this.waitForLeaders(admin, missing.map((t) => t.name));
  }

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    this.assertNotClosed();
    if (records.length === 0) return;
    await this.sender.send(records);
  }

  /** One produce request: the records grouped by topic into a single `sendBatch`. */
  private async produce(records: readonly OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      messages.push({ key: r.key, value: r.value, headers: r.headers });
    }
    const producer = await this.getProducer();
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
      compression: CompressionTypes.None,
    });
  }

  /** Whether every consumer started here is still consuming (none crashed for good): a readiness check. */
  consumersRunning(): boolean {
    return [...this.consumers].every((consumer) => consumer.running);
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    if (this.closing) throw new Error(`KafkaTransport ${this.options.clientId} is closing`);
    const consumer = new KafkaGroupConsumer(this.kafka, options, this.settings, this.log);
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      throw error;
    }
    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  /**
   * Lag from the broker: each topic's high watermarks (once per call) against each group's committed
   * offsets. A partition the group never committed counts from its low watermark, as the in-memory bus does.
   */
  async consumerLag(groups: readonly { groupId: string; topics: readonly string[] }[]): Promise<ConsumerLag[]> {
    this.assertNotClosed();
    const admin = await this.getAdmin();
    const watermarks = new Map<string, Promise<Map<number, { high: number; low: number }>>>();
    const topicOffsets = (topic: string) => {
      let offsets = watermarks.get(topic);
      if (!offsets) {
        offsets = admin.fetchTopicOffsets(topic).then((ps) => new Map(ps.map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
        watermarks.set(topic, offsets);
      }
      return offsets;
    };
    const out: ConsumerLag[] = [];
    for (const { groupId, topics } of groups) {
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      for (const { topic, partitions } of committed) {
        const marks = await topicOffsets(topic);
        let lag = 0;
        for (const { partition, offset } of partitions) {
          const mark = marks.get(partition);
          if (!mark) continue;
          const at = Number(offset);
          lag += Math.max(0, mark.high - (at >= 0 ? Math.max(at, mark.low) : mark.low));
        }
        out.push({ groupId, topic, lag });
      }
    }
    return out;
  }

  /** Stops every consumer gracefully (see `ConsumerHandle.stop`), then disconnects producer and admin. */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.stop()));
    this.consumers.clear();
    this.closed = true;
    const clients = [this.producer, this.admin].filter((c): c is Promise<Producer> | Promise<Admin> => c !== undefined);
    await Promise.allSettled(clients.map(async (c) => (await c).disconnect()));
  }

  private assertNotClosed(): void {
    if (this.closed) throw new Error(`KafkaTransport ${this.options.clientId} is closed`);
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: false,
        allowAutoTopicCreation: this.allowAutoTopicCreation,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  private getAdmin(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined;
      throw error;
    });
    return this.admin;
  }

  private async waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
        if (metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          // Listing offsets goes to each partition's leader, so it succeeds only once they all serve.
          for (const topic of topics) await admin.fetchTopicOffsets(topic);
          return;
        }
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`, { cause: last });
  }
}
