import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { kafkaPartitionFor } from './murmur2.js';

const { Partitioners } = kafkajs;

describe('kafkaPartitionFor', () => {
  const kafkajsPartition = Partitioners.DefaultPartitioner();
  const metadata = (n: number) => Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

  it('puts every key on the partition the Kafka producers choose', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'req-1', 'tenant/ünïcödé/🙂', ...Array.from({ length: 500 }, () => randomUUID())];
    for (const n of [1, 3, 6, 12, 64]) {
      for (const key of keys) {
        expect([key, n, kafkaPartitionFor(key, n)]).toEqual([key, n, kafkajsPartition({ topic: 't', partitionMetadata: metadata(n), message: { key, value: null } })]);
      }
    }
  });

  it('spreads request ids over the partitions', () => {
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6_000; i++) counts[kafkaPartitionFor(randomUUID(), 6)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
