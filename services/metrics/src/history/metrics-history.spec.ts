import { seededRandom } from '#models';
import { MINUTE_MS, MetricsHistory, addCounts, emptyBucket, newHistogram, type SeriesLabels } from './metrics-history.js';

const series = (tenant: string): SeriesLabels => ({ tenant, prompt: 'support-answer', version: '1', model: 'sim-1' });

describe('MetricsHistory', () => {
  it('a sliding window always equals the same window computed from scratch, and forgets groups whose minutes all left', () => {
    const history = new MetricsHistory(24 * 3_600_000);
    const random = seededRandom(3);
    for (let minute = 0; minute < 90; minute++) {
      const at = minute * MINUTE_MS;
      // globex only sends during the first 20 minutes.
      for (const tenant of minute < 20 ? ['acme', 'globex'] : ['acme']) {
        const b = history.bucket(at, series(tenant));
        b.requests.completed += Math.floor(random() * 10);
        b.tokens.input += Math.floor(random() * 1000);
        for (let i = 0; i < 5; i++) history.recordTtft(at, series(tenant), 50 + random() * 500);
      }
    }
    const query = { by: ['tenant'] as const };
    for (let end = 31; end <= 90; end += 1 + (end % 3)) {
      const slid = history.window(query, (end - 30) * MINUTE_MS, end * MINUTE_MS, 'test');
      const fresh = history.window(query, (end - 30) * MINUTE_MS, end * MINUTE_MS);
      expect([...slid.keys()].sort()).toEqual([...fresh.keys()].sort());
      for (const [key, f] of fresh) {
        const s = slid.get(key)!.bucket;
        expect(s.requests).toEqual(f.bucket.requests);
        expect(s.tokens).toEqual(f.bucket.tokens);
        expect(s.ttftMs!.totalCount).toBe(f.bucket.ttftMs!.totalCount);
        expect(s.ttftMs!.getValueAtPercentile(95)).toBe(f.bucket.ttftMs!.getValueAtPercentile(95));
      }
    }
    expect([...history.window(query, 60 * MINUTE_MS, 90 * MINUTE_MS, 'test').values()].map((g) => g.labels.tenant)).toEqual(['acme']);
  });

  it('drops minutes older than its retention', () => {
    const history = new MetricsHistory(60 * MINUTE_MS);
    history.bucket(0, series('acme')).requests.completed = 1;
    history.bucket(2 * 60 * MINUTE_MS, series('acme')).requests.completed = 1;
    expect(history.groups({ by: [] }, 0, MINUTE_MS)).toEqual([]);
  });

  it("reads another writer's stored buckets with its own, and a reloaded bucket replaces the writer's earlier one (also inside a sliding window)", () => {
    const history = new MetricsHistory(24 * 3_600_000);
    for (let minute = 0; minute < 40; minute++) history.bucket(minute * MINUTE_MS, series('acme')).requests.completed += 2;
    const stored = (n: number) => ({ ...emptyBucket(), requests: { completed: n, blocked: 0, failed: 0 } });
    const query = { by: [] as const };
    const total = () => [...history.window(query, 0, 30 * MINUTE_MS, 'slide').values()][0]!.bucket.requests.completed;
    expect(total()).toBe(60);
    history.absorb('other-replica', 5 * MINUTE_MS, series('acme'), stored(10));
    expect(total()).toBe(70);
    history.absorb('other-replica', 5 * MINUTE_MS, series('acme'), stored(4));
    expect(total()).toBe(64);
    history.absorbDeadLetters('other-replica', 5 * MINUTE_MS, 3);
    history.absorbDeadLetters('other-replica', 5 * MINUTE_MS, 2);
    history.recordDeadLetter(5 * MINUTE_MS);
    expect(history.deadLettersPerMinute(5 * MINUTE_MS, 6 * MINUTE_MS)).toEqual([3]);
  });

  it('adds and subtracts packed minutes into a dense window exactly as HdrHistogram does', () => {
    const random = seededRandom(5);
    const mine = newHistogram('dense');
    const reference = newHistogram('dense');
    const minutes = Array.from({ length: 40 }, (_, m) => {
      const h = newHistogram('packed');
      for (let i = 0; i < 50; i++) h.recordValue(Math.max(1, Math.round((m % 7 === 0 ? 3_000 : 40) + random() * random() * 2_000)));
      return h;
    });
    minutes.forEach((h, m) => {
      addCounts(mine, h, 1);
      reference.add(h);
      if (m >= 10) {
        addCounts(mine, minutes[m - 10]!, -1);
        reference.subtract(minutes[m - 10]!);
      }
      for (const p of [50, 95, 99, 100]) expect(mine.getValueAtPercentile(p)).toBe(reference.getValueAtPercentile(p));
      expect(mine.totalCount).toBe(reference.totalCount);
      expect(mine.getValueAtPercentile(0.001)).toBe(reference.getValueAtPercentile(0.001));
    });
  });
});
