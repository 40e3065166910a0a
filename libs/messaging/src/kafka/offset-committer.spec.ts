import type { Offsets } from 'kafkajs';
import { OffsetCommitter } from './offset-committer.js';

function harness(intervalMs = 0) {
  const commits: Array<{ offsets: Offsets; finish: (error?: unknown) => void }> = [];
  const errors: Array<{ error: unknown; willRetry: boolean }> = [];
  const committer = new OffsetCommitter({ intervalMs, maxAttempts: 3, onError: (error, willRetry) => errors.push({ error, willRetry }) });
  const commit = (offsets: Offsets) =>
    new Promise<void>((resolve, reject) => commits.push({ offsets, finish: (error) => (error ? reject(error) : resolve()) }));
  return { committer, commit, commits, errors };
}
const flat = (o: Offsets) => o.topics.flatMap((t) => t.partitions.map((p) => `${t.topic}/${p.partition}@${p.offset}`)).sort();
const tick = () => new Promise((r) => setImmediate(r));

describe('OffsetCommitter', () => {
  it('keeps one commit in flight and sends the latest offset of every partition in the next', async () => {
    const { committer, commit, commits } = harness();
    committer.mark(commit, 't', 0, '5');
    expect(commits).toHaveLength(1);
    committer.mark(commit, 't', 0, '7');
    committer.mark(commit, 't', 1, '3');
    committer.mark(commit, 'u', 0, '1');
    committer.mark(commit, 't', 0, '9');
    expect(commits).toHaveLength(1);
    const flushed = committer.flush();
    commits[0]!.finish();
    await tick();
    expect(commits.map((c) => flat(c.offsets))).toEqual([['t/0@5'], ['t/0@9', 't/1@3', 'u/0@1']]);
    commits[1]!.finish();
    await flushed;
  });

  it('waits out the interval while a batch runs, and flush() commits at once', async () => {
    const { committer, commit, commits } = harness(60_000);
    committer.mark(commit, 't', 0, '1');
    commits[0]!.finish();
    await committer.flush();
    committer.mark(commit, 't', 0, '2');
    await tick();
    expect(commits).toHaveLength(1);
    const flushed = committer.flush();
    expect(commits).toHaveLength(2);
    commits[1]!.finish();
    await flushed;
  });

  it('retries a failed commit without overwriting a newer offset, and gives up on group errors', async () => {
    const { committer, commit, commits, errors } = harness();
    committer.mark(commit, 't', 0, '4');
    const flushed = committer.flush();
    committer.mark(commit, 't', 0, '6');
    commits[0]!.finish(new Error('connection reset'));
    await new Promise((r) => setTimeout(r, 80));
    expect(flat(commits[1]!.offsets)).toEqual(['t/0@6']);
    commits[1]!.finish(Object.assign(new Error('rebalancing'), { type: 'REBALANCE_IN_PROGRESS' }));
    await flushed;
    expect(commits).toHaveLength(2);
    expect(errors.map((e) => e.willRetry)).toEqual([true, false]);
  });
});
