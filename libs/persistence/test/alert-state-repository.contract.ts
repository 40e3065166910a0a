import type { AlertStateRepository, AlertToFire } from '#persistence';
import { uniqueName } from './contract-helpers.js';

// Times far from the present and from each other run, so suites sharing a database never meet.
let nextBase = Date.UTC(1980, 0, 1) + Math.floor(Math.random() * 5_000) * 24 * 3_600_000;
const MINUTE = 60_000;

function alert(key: string, firedAt: number, over: Partial<AlertToFire> = {}): AlertToFire {
  return {
    key,
    kind: 'token_spike',
    severity: 'warning',
    labels: { tenant: 'acme', prompt: 'support-answer' },
    message: 'tokens per minute 50000 vs usual 20000',
    value: 50_000,
    baseline: 20_000,
    threshold: 40_000,
    firedAt: new Date(firedAt),
    ...over,
  };
}

/** The contract every AlertStateRepository honours. */
export function describeAlertStateRepositoryContract(name: string, create: () => AlertStateRepository): void {
  describe(`AlertStateRepository contract: ${name}`, () => {
    let base: number;
    beforeEach(() => {
      base = nextBase;
      nextBase += 24 * 3_600_000;
    });
    const mine = <T extends { key: string }>(list: T[], ...keys: string[]): T[] => list.filter((a) => keys.includes(a.key));

    it('opens an alert once: a second claim on an open key loses, and the stored alert keeps every field', async () => {
      const repo = create();
      const key = uniqueName('token_spike');
      expect(await repo.claimFiring(alert(key, base))).toBe(true);
      expect(await repo.claimFiring(alert(key, base + MINUTE, { value: 99 }))).toBe(false);
      expect(mine(await repo.listOpen(), key)).toEqual([
        { ...alert(key, base), lastValue: 50_000, lastSeenAt: new Date(base), resolvedAt: null },
      ]);
      const nullBaseline = uniqueName('quality_drop');
      await repo.claimFiring(alert(nullBaseline, base, { kind: 'quality_drop', labels: {}, baseline: null }));
      expect(mine(await repo.listOpen(), nullBaseline)[0]).toMatchObject({ baseline: null, labels: {} });
    });

    it('of claims racing on one key, exactly one opens it', async () => {
      const repo = create();
      const key = uniqueName('ttft_drift');
      const won = await Promise.all([1, 2, 3, 4].map((i) => repo.claimFiring(alert(key, base, { value: i }))));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(mine(await repo.listOpen(), key)).toHaveLength(1);
    });

    it('records the latest value of an open alert', async () => {
      const repo = create();
      const key = uniqueName('cost_spike');
      await repo.claimFiring(alert(key, base));
      await repo.observe(key, 61_000, new Date(base + 2 * MINUTE));
      expect(mine(await repo.listOpen(), key)[0]).toMatchObject({ value: 50_000, lastValue: 61_000, lastSeenAt: new Date(base + 2 * MINUTE) });
    });

    it('resolves an open alert once: racing resolves get it back exactly once, and the key can fire again', async () => {
      const repo = create();
      const repos = [repo, repo, repo];
      const key = uniqueName('latency_drift');
      await repo.claimFiring(alert(key, base));
      const resolvedAt = new Date(base + 5 * MINUTE);
      const results = await Promise.all(repos.map((r) => r.claimResolve(key, resolvedAt)));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]).toMatchObject({ key, firedAt: new Date(base), resolvedAt });
      expect(mine(await repos[1]!.listOpen(), key)).toEqual([]);
      expect(await repos[1]!.claimResolve(key, resolvedAt)).toBeNull();
      expect(mine(await repos[1]!.listResolved(1_000), key)).toHaveLength(1);
      // The condition comes back later: a new alert under the same key.
      expect(await repos[2]!.claimFiring(alert(key, base + 10 * MINUTE))).toBe(true);
      expect(mine(await repos[0]!.listOpen(), key).map((a) => a.firedAt)).toEqual([new Date(base + 10 * MINUTE)]);
    });

    it('a firing claimed with the key and time of an already resolved alert loses instead of failing', async () => {
      const repo = create();
      const key = uniqueName('block_rate_jump');
      await repo.claimFiring(alert(key, base));
      await repo.claimResolve(key, new Date(base + MINUTE));
      expect(await repo.claimFiring(alert(key, base))).toBe(false);
      expect(mine(await repo.listOpen(), key)).toEqual([]);
    });

    it('lists open alerts oldest first and resolved alerts newest first, up to a limit', async () => {
      const repo = create();
      const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
      await repo.claimFiring(alert(b, base + MINUTE));
      await repo.claimFiring(alert(a, base));
      await repo.claimFiring(alert(c, base + 2 * MINUTE));
      expect(mine(await repo.listOpen(), a, b, c).map((x) => x.key)).toEqual([a, b, c]);
      await repo.claimResolve(a, new Date(base + 3 * MINUTE));
      await repo.claimResolve(c, new Date(base + 4 * MINUTE));
      // Newest first: this run's resolves are the newest in the store only by their own times, so filter.
      expect(mine(await repo.listResolved(1_000), a, c).map((x) => x.key)).toEqual([c, a]);
      expect(mine(await repo.listOpen(), a, b, c).map((x) => x.key)).toEqual([b]);
      expect(await repo.listResolved(1)).toHaveLength(1);
    });

    it('deletes alerts resolved before a time and never an open one', async () => {
      const repo = create();
      const [old, recent, open] = [uniqueName('old'), uniqueName('recent'), uniqueName('open')];
      for (const k of [old, recent, open]) await repo.claimFiring(alert(k, base));
      await repo.claimResolve(old, new Date(base + MINUTE));
      await repo.claimResolve(recent, new Date(base + 10 * MINUTE));
      expect(await repo.deleteResolvedBefore(new Date(base + 5 * MINUTE))).toBeGreaterThanOrEqual(1);
      expect(mine(await repo.listResolved(1_000), old, recent).map((x) => x.key)).toEqual([recent]);
      expect(mine(await repo.listOpen(), open)).toHaveLength(1);
    });
  });
}
