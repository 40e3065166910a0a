import type { MetricsHistoryRepository, MetricsMinuteRow } from '#persistence';
import { uniqueName } from './contract-helpers.js';

// Minutes far from the present and from each other run, so suites sharing a database never meet.
let nextBase = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 5_000) * 24 * 3_600_000;
const MINUTE = 60_000;

function row(minute: number, writer: string, tenant: string, over: Partial<MetricsMinuteRow> = {}): MetricsMinuteRow {
  return {
    minute: new Date(minute),
    writer,
    tenant,
    prompt: 'support-answer',
    version: '2',
    model: 'sim-1',
    requests: { completed: 5, blocked: 1, failed: 0 },
    tokens: { input: 3_000_000_000, output: 40 },
    costUsd: 0.0125,
    latencyMs: 'HISTFAAAACB4nJNpmSzMwMDAwQABzFCaEUQKAQAXPAD3',
    ttftMs: null,
    cache: { lookups: 4, hits: 1 },
    verdicts: { pass: 6, redact: 1, block: 1 },
    quality: { n: 2, sum: 1.5, sumSq: 1.25 },
    ...over,
  };
}

/** The contract every MetricsHistoryRepository honours. */
export function describeMetricsHistoryRepositoryContract(name: string, create: () => MetricsHistoryRepository): void {
  describe(`MetricsHistoryRepository contract: ${name}`, () => {
    let base: number;
    beforeEach(() => {
      base = nextBase;
      nextBase += 24 * 3_600_000;
    });

    it('stores each writer, minute and series as one row with every field, and a rewrite replaces it', async () => {
      const repo = create();
      const writer = uniqueName('replica');
      const first = row(base, writer, 'acme');
      await repo.write([first, row(base, writer, 'globex')], [{ minute: new Date(base), writer, count: 3 }]);
      // A replayed write of the same state changes nothing; a newer state replaces the old one.
      await repo.write([first], [{ minute: new Date(base), writer, count: 3 }]);
      await repo.write([row(base, writer, 'acme', { requests: { completed: 7, blocked: 1, failed: 2 } })], [{ minute: new Date(base), writer, count: 4 }]);

      const loaded = await repo.load({ since: new Date(base) });
      const mine = loaded.rows.filter((r) => r.writer === writer);
      expect(mine).toHaveLength(2);
      expect(mine.find((r) => r.tenant === 'globex')).toEqual(row(base, writer, 'globex'));
      expect(mine.find((r) => r.tenant === 'acme')?.requests).toEqual({ completed: 7, blocked: 1, failed: 2 });
      expect(loaded.deadLetters.filter((d) => d.writer === writer)).toEqual([{ minute: new Date(base), writer, count: 4 }]);
      expect(loaded.latestChange).toBeInstanceOf(Date);
    });

    it('keeps the rows of different writers apart, for the reader to add up', async () => {
      const repo = create();
      const a = uniqueName('replica');
      const b = uniqueName('replica');
      await repo.write([row(base, a, 'acme')], []);
      await repo.write([row(base, b, 'acme', { latencyMs: null })], []);
      const rows = (await repo.load({ since: new Date(base) })).rows.filter((r) => r.writer === a || r.writer === b);
      expect(rows.map((r) => r.writer).sort()).toEqual([a, b].sort());
      expect(rows.reduce((sum, r) => sum + r.requests.completed, 0)).toBe(10);
    });

    it('loads only minutes since a time, and only rows written since the last change it returned', async () => {
      const repo = create();
      const writer = uniqueName('replica');
      await repo.write([row(base, writer, 'acme'), row(base + 10 * MINUTE, writer, 'acme')], []);
      const since = (await repo.load({ since: new Date(base + 5 * MINUTE) })).rows.filter((r) => r.writer === writer);
      expect(since.map((r) => r.minute.getTime())).toEqual([base + 10 * MINUTE]);

      const all = await repo.load({ since: new Date(base) });
      const after = new Date(all.latestChange!.getTime() + 1);
      await new Promise((r) => setTimeout(r, 5));
      await repo.write([row(base + 11 * MINUTE, writer, 'acme')], [{ minute: new Date(base + 11 * MINUTE), writer, count: 1 }]);
      const changed = await repo.load({ since: new Date(base), changedSince: after });
      expect(changed.rows.filter((r) => r.writer === writer).map((r) => r.minute.getTime())).toEqual([base + 11 * MINUTE]);
      expect(changed.deadLetters.filter((d) => d.writer === writer)).toHaveLength(1);
    });

    it('deletes minutes before a cut-off, and keeps the rest', async () => {
      const repo = create();
      const writer = uniqueName('replica');
      await repo.write(
        [row(base, writer, 'acme'), row(base + MINUTE, writer, 'acme'), row(base + 2 * MINUTE, writer, 'acme')],
        [{ minute: new Date(base), writer, count: 1 }, { minute: new Date(base + 2 * MINUTE), writer, count: 1 }],
      );
      // Everything of this test is in [base, base + 3 min); other tests' rows are days away.
      expect(await repo.deleteBefore(new Date(base + 2 * MINUTE))).toBeGreaterThanOrEqual(3);
      const left = await repo.load({ since: new Date(base - 3_600_000) });
      expect(left.rows.filter((r) => r.writer === writer).map((r) => r.minute.getTime())).toEqual([base + 2 * MINUTE]);
      expect(left.deadLetters.filter((d) => d.writer === writer).map((d) => d.minute.getTime())).toEqual([base + 2 * MINUTE]);
    });
  });
}
