import type { StreamChunk } from '#contracts';
import { StreamFeed } from './stream.feed.js';

const chunk = (seq: number): StreamChunk => ({ seq, delta: `d${seq}`, model: null });

describe('StreamFeed', () => {
  it('gives chunks in seq order: an early one waits for the gap, a redelivered one is dropped', async () => {
    const feed = new StreamFeed();
    feed.chunk(chunk(0));
    feed.chunk(chunk(2));
    feed.chunk(chunk(0));
    feed.chunk(chunk(1));
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const e = await feed.take(1_000);
      if (e?.kind === 'chunk') seqs.push(e.chunk.seq);
    }
    expect(seqs).toEqual([0, 1, 2]);
  });

  it('answers null when nothing comes in time, and says when the client went away', async () => {
    const feed = new StreamFeed();
    expect(await feed.take(5)).toBeNull();
    const next = feed.take(1_000);
    feed.close();
    expect(await next).toEqual({ kind: 'closed' });
  });
});
