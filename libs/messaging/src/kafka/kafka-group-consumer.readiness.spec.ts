// What /health/ready reports for a Kafka consumer: running until kafkajs crashes for good (a crash it
// restarts from is not one) or the consumer stops. kafkajs is replaced by a stand-in that emits its events.
import type { Kafka } from 'kafkajs';
import { KafkaGroupConsumer, type GroupConsumerSettings } from './kafka-group-consumer.js';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', FETCH: 'consumer.fetch', CRASH: 'consumer.crash' } as const;

function standInKafka() {
  const listeners = new Map<string, Set<(event: unknown) => void>>();
  const consumer = {
    events: EVENTS,
    on(name: string, listener: (event: unknown) => void) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name)!.add(listener);
      return () => listeners.get(name)!.delete(listener);
    },
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => {
      // Joined, then the first fetch: what start() waits for.
      queueMicrotask(() => {
        emit(EVENTS.GROUP_JOIN, {});
        emit(EVENTS.FETCH, {});
      });
    },
    disconnect: async () => undefined,
  };
  const emit = (name: string, payload: unknown) => {
    for (const listener of listeners.get(name) ?? []) listener({ payload });
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, emit };
}

const settings: GroupConsumerSettings = {
  sessionTimeoutMs: 30_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3_000,
  maxWaitTimeInMs: 50,
  minBytes: 1,
  maxBytesPerPartition: 1_048_576,
  maxPartitionsConsumedConcurrently: 16,
  joinTimeoutMs: 5_000,
  redeliveryPauseMs: 100,
  maxRedeliveryPauseMs: 1_000,
  commitIntervalMs: 200,
  brokers: ['kafka:9092'],
};

describe('KafkaGroupConsumer.running (the readiness of a consumer)', () => {
  it('is true once started, survives a crash kafkajs restarts from, and turns false on one it does not', async () => {
    const { kafka, emit } = standInKafka();
    const errors: string[] = [];
    const consumer = new KafkaGroupConsumer(kafka, { groupId: 'guardrail', topics: ['ballast.guard-input.v1'], concurrency: 4, handle: async () => undefined }, settings, {
      warn: () => undefined,
      error: (msg) => void errors.push(msg),
    });
    await consumer.start();
    expect(consumer.running).toBe(true);

    emit(EVENTS.CRASH, { restart: true, error: new Error('broker went away') });
    expect(consumer.running).toBe(true);

    emit(EVENTS.CRASH, { restart: false, error: new Error('not retriable') });
    expect(consumer.running).toBe(false);
    expect(errors).toEqual(['consumer crashed and will not restart; its partitions go to other members']);
    await consumer.stop();
  });

  it('is false once a stop begins', async () => {
    const { kafka } = standInKafka();
    const consumer = new KafkaGroupConsumer(kafka, { groupId: 'judge', topics: ['ballast.responses.v1'], concurrency: 4, handle: async () => undefined }, settings, {
      warn: () => undefined,
      error: () => undefined,
    });
    await consumer.start();
    const stopping = consumer.stop();
    expect(consumer.running).toBe(false);
    await stopping;
  });
});
