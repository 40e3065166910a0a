import { TOPICS } from '#contracts';
import { MemoryBroker, MemoryTransport } from '#messaging';
import { renderMetrics } from '#observability';
import { waitUntil } from '#testing';
import { CONSUMER_GROUPS } from './consumer-groups.js';
import { recordConsumerLag } from './consumer-lag.monitor.js';

const sample = (body: string, group: string, topic: string): number | undefined => {
  const line = body.split('\n').find((l) => l.startsWith(`ballast_consumer_lag{group="${group}",topic="${topic}"}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

describe('ballast_consumer_lag', () => {
  it('shows the records each service group has not consumed yet, per topic, and falls to 0 once they are handled', async () => {
    const transport = new MemoryTransport(new MemoryBroker(3));
    const usage = (i: number) => ({ topic: TOPICS.usage, key: `r${i}`, value: Buffer.from('{}'), headers: {} });
    await transport.send(Array.from({ length: 12 }, (_, i) => usage(i)));

    const series = await recordConsumerLag(transport);
    expect(series).toBe(Object.values(CONSUMER_GROUPS).flat().length);
    let body = (await renderMetrics()).body;
    expect(sample(body, 'metrics', TOPICS.usage)).toBe(12);
    expect(sample(body, 'judge', TOPICS.responses)).toBe(0);

    let handled = 0;
    const consumer = await transport.consume({ groupId: 'metrics', topics: [TOPICS.usage], concurrency: 4, fromBeginning: true, handle: async () => void handled++ });
    await waitUntil(() => handled === 12, 'the usage records');
    await consumer.stop();
    await recordConsumerLag(transport);
    body = (await renderMetrics()).body;
    expect(sample(body, 'metrics', TOPICS.usage)).toBe(0);
  });

  it('is left out by a transport that cannot tell its lag', async () => {
    const { consumerLag: _lag, ...blind } = new MemoryTransport();
    expect(await recordConsumerLag({ ...blind, kind: 'memory' } as never)).toBe(0);
  });
});
