import { MemoryBroker, MemoryTransport } from './memory.transport.js';
import { describeTransportContract } from '../test/transport.contract.js';

describeTransportContract('in-memory bus', () => {
  const broker = new MemoryBroker(3);
  return { connect: async () => new MemoryTransport(broker), timeoutMs: 5_000 };
});
