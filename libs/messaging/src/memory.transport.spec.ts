import { MemoryBroker, MemoryTransport } from './memory.transport.js';
import { describeTransportContract } from '../test/transport.contract.js';

describeTransportContract('in-memory bus', () => {
  const broker = new MemoryBroker(3);
  return { connect: async () => new MemoryTransport(broker), timeoutMs: 5_000 };
});

describe('MemoryBroker retention', () => {
  it('drops records every group has committed, keeps the newest, and a new group starts at the oldest kept', async () => {
    const broker = new MemoryBroker(1, 10);
    const bus = new MemoryTransport(broker);
    const seen: string[] = [];
    const handle = await bus.consume({ groupId: 'g', topics: ['t'], concurrency: 4, fromBeginning: true, handle: async (r) => void seen.push(r.value.toString()) });
    await bus.send(Array.from({ length: 50 }, (_, i) => ({ topic: 't', key: `k${i}`, value: Buffer.from(String(i)), headers: {} })));
    while (seen.length < 50) await new Promise((r) => setTimeout(r, 5));
    await handle.stop();
    const kept = broker.records('t');
    expect(kept.length).toBeLessThan(50);
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.at(-1)!.value.toString()).toBe('49');

    const late: string[] = [];
    const h2 = await bus.consume({ groupId: 'late', topics: ['t'], concurrency: 1, fromBeginning: true, handle: async (r) => void late.push(r.offset) });
    while (late.length < kept.length) await new Promise((r) => setTimeout(r, 5));
    await h2.stop();
    expect(late[0]).toBe(kept[0]!.offset);
  });
});
