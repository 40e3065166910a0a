import { CoalescingStream } from './coalescing-stream.js';

describe('CoalescingStream', () => {
  it('sends in order, one at a time, and joins the text that arrived while a send was in flight', async () => {
    const sent: Array<{ seq: number; delta: string; end?: string }> = [];
    let inFlight = 0;
    let most = 0;
    const out = new CoalescingStream<string>(async (seq, delta, end) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      sent.push({ seq, delta, ...(end === undefined ? {} : { end }) });
      inFlight--;
    }, 1);
    out.text('a');
    out.text('b');
    out.text('c');
    await out.end('stop');
    expect(most).toBe(1);
    expect(sent).toEqual([{ seq: 1, delta: 'a' }, { seq: 2, delta: 'bc', end: 'stop' }]);
    out.text('ignored');
    expect(out.ended).toBe(true);
  });

  it('reports a failed send when it ends, after sending the rest', async () => {
    const seqs: number[] = [];
    const out = new CoalescingStream<string>(async (seq) => {
      seqs.push(seq);
      if (seq === 0) throw new Error('bus down');
    });
    out.text('x');
    out.text('y');
    await expect(out.end('stop')).rejects.toThrow('bus down');
    expect(seqs).toEqual([0, 1]);
  });
});

describe('CoalescingStream with a linger', () => {
  it('sends the first text at once, holds what follows for the linger, and sends it at flush() or the end without waiting', async () => {
    const sent: Array<{ delta: string; end?: string }> = [];
    const out = new CoalescingStream<string>(async (_seq, delta, end) => void sent.push({ delta, ...(end === undefined ? {} : { end }) }), 0, 60_000);
    out.text('a');
    await new Promise((r) => setImmediate(r));
    out.text('b');
    out.text('c');
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([{ delta: 'a' }]);
    out.flush();
    await new Promise((r) => setImmediate(r));
    out.text('d');
    await out.end('stop');
    expect(sent).toEqual([{ delta: 'a' }, { delta: 'bc' }, { delta: 'd', end: 'stop' }]);
  });
});
