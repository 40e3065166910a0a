import type { OutgoingRecord } from '../transport.js';
import { SendCoalescer } from './send-coalescer.js';

const rec = (topic: string, key: string, body = 'x'): OutgoingRecord => ({ topic, key, value: Buffer.from(body), headers: {} });

function harness(maxInFlight: number, maxBytes = 1 << 20) {
  const requests: Array<{ records: readonly OutgoingRecord[]; finish: (error?: Error) => void }> = [];
  const coalescer = new SendCoalescer(
    (records) =>
      new Promise<void>((resolve, reject) => {
        requests.push({ records, finish: (error) => (error ? reject(error) : resolve()) });
      }),
    { maxInFlight, maxBytes },
  );
  return { coalescer, requests };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('SendCoalescer', () => {
  it('sends at once while below the in-flight limit, and merges what queued meanwhile into one request', async () => {
    const { coalescer, requests } = harness(1);
    const first = coalescer.send([rec('t', 'a')]);
    expect(requests).toHaveLength(1);
    const queued = [coalescer.send([rec('t', 'b')]), coalescer.send([rec('u', 'c'), rec('t', 'd')])];
    expect(requests).toHaveLength(1);
    requests[0]!.finish();
    await first;
    await tick();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.records.map((r) => r.key)).toEqual(['b', 'c', 'd']);
    requests[1]!.finish();
    await Promise.all(queued);
  });

  it('keeps up to maxInFlight requests going before it merges', async () => {
    const { coalescer, requests } = harness(2);
    const sends = [coalescer.send([rec('t', 'a')]), coalescer.send([rec('t', 'b')]), coalescer.send([rec('t', 'c')]), coalescer.send([rec('t', 'd')])];
    expect(requests.map((r) => r.records.length)).toEqual([1, 1]);
    requests[0]!.finish();
    await tick();
    expect(requests.map((r) => r.records.map((x) => x.key).join(''))).toEqual(['a', 'b', 'cd']);
    requests[1]!.finish();
    requests[2]!.finish();
    await Promise.all(sends);
  });

  it('respects the size cap, but never splits one caller', async () => {
    const { coalescer, requests } = harness(1, 200);
    void coalescer.send([rec('t', 'a')]);
    const big = 'y'.repeat(150);
    const later = [coalescer.send([rec('t', 'b', big)]), coalescer.send([rec('t', 'c', big)]), coalescer.send([rec('t', 'd', 'z'.repeat(500))])];
    requests[0]!.finish();
    await tick();
    requests[1]!.finish();
    await tick();
    requests[2]!.finish();
    await tick();
    requests[3]!.finish();
    await Promise.all(later);
    expect(requests.map((r) => r.records.map((x) => x.key).join(''))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('retries the sends of a failed merged request one by one, so only the culprit fails', async () => {
    const { coalescer, requests } = harness(1);
    const first = coalescer.send([rec('t', 'a')]);
    const good = coalescer.send([rec('t', 'good')]);
    const bad = coalescer.send([rec('t', 'bad')]);
    requests[0]!.finish();
    await first;
    await tick();
    requests[1]!.finish(new Error('MESSAGE_TOO_LARGE'));
    await tick();
    expect(requests.slice(2).map((r) => r.records[0]!.key)).toEqual(['good', 'bad']);
    requests[2]!.finish();
    requests[3]!.finish(new Error('MESSAGE_TOO_LARGE'));
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('MESSAGE_TOO_LARGE');
  });

  it('rejects a lone send with its own error', async () => {
    const { coalescer, requests } = harness(1);
    const only = coalescer.send([rec('t', 'a')]);
    requests[0]!.finish(new Error('broker down'));
    await expect(only).rejects.toThrow('broker down');
  });
});
