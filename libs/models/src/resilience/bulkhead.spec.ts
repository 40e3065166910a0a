import { Bulkhead, BulkheadFullError } from './bulkhead.js';

describe('Bulkhead', () => {
  it('runs at most maxConcurrent calls, queues the next ones in order and rejects beyond the queue', async () => {
    const bulkhead = new Bulkhead(2, 1);
    const signal = new AbortController().signal;
    const a = await bulkhead.acquire(signal);
    await bulkhead.acquire(signal);
    let thirdIn = false;
    const third = bulkhead.acquire(signal).then((release) => {
      thirdIn = true;
      return release;
    });
    await expect(bulkhead.acquire(signal)).rejects.toBeInstanceOf(BulkheadFullError);
    expect(thirdIn).toBe(false);
    a();
    a(); // releasing twice frees one slot only
    await third;
    expect(thirdIn).toBe(true);
    expect(bulkhead.active).toBe(2);
  });

  it('lets a waiter leave the queue when its deadline passes', async () => {
    const bulkhead = new Bulkhead(1, 5);
    await bulkhead.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = bulkhead.acquire(controller.signal);
    controller.abort(new Error('deadline'));
    await expect(waiting).rejects.toThrow('deadline');
    expect(bulkhead.waiting).toBe(0);
  });
});
