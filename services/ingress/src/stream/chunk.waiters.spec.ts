import type { StreamChunk } from '#contracts';
import { ChunkWaiters } from './chunk.waiters.js';

const chunk = (seq: number): StreamChunk => ({ seq, delta: `d${seq}`, model: null });

describe('ChunkWaiters', () => {
  it('hands a request\'s chunks to every stream open for it on this replica, and none to other requests', () => {
    const waiters = new ChunkWaiters();
    const a: number[] = [];
    const b: number[] = [];
    const other: number[] = [];
    const stopA = waiters.listen('t', 'r-1', (c) => a.push(c.seq));
    waiters.listen('t', 'r-1', (c) => b.push(c.seq));
    waiters.listen('t', 'r-2', (c) => other.push(c.seq));
    waiters.deliver('t', 'r-1', chunk(0));
    stopA();
    waiters.deliver('t', 'r-1', chunk(1));
    waiters.deliver('u', 'r-1', chunk(2));
    expect(a).toEqual([0]);
    expect(b).toEqual([0, 1]);
    expect(other).toEqual([]);
  });

  it('forgets a request once its last stream is over', () => {
    const waiters = new ChunkWaiters();
    const stop = waiters.listen('t', 'r-1', () => undefined);
    expect(waiters.size).toBe(1);
    stop();
    expect(waiters.size).toBe(0);
  });
});
