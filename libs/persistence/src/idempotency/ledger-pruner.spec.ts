import { jest } from '@jest/globals';
import { startLedgerPruner, type LedgerPruner, type LedgerPrunerOptions } from './ledger-pruner.js';
import type { PruneOptions } from './processed-message.store.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const START = new Date('2025-03-10T12:00:00Z').getTime();

type Prune = (olderThan: Date, options?: PruneOptions) => Promise<number>;

function pruner(prune: Prune, options: Partial<LedgerPrunerOptions> = {}) {
  const store = { prune: jest.fn(prune) };
  const log = { info: jest.fn(), warn: jest.fn() };
  const started: LedgerPruner = startLedgerPruner({
    store,
    retentionMs: 7 * DAY,
    intervalMs: 10 * MINUTE,
    firstRunAfterMs: 30_000,
    random: () => 0.5, // no jitter
    log,
    ...options,
  });
  return { store, log, pruner: started };
}

describe('startLedgerPruner', () => {
  let running: LedgerPruner | undefined;
  beforeEach(() => jest.useFakeTimers({ now: START }));
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    jest.useRealTimers();
  });

  it('prunes shortly after start and then every interval, deleting what is older than the retention', async () => {
    const { store, pruner: p } = pruner(async () => 0);
    running = p;

    await jest.advanceTimersByTimeAsync(30_000 - 1);
    expect(store.prune).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(store.prune).toHaveBeenCalledTimes(1);
    expect(store.prune.mock.calls[0]![0]).toEqual(new Date(START + 30_000 - 7 * DAY));

    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(store.prune).toHaveBeenCalledTimes(2);
    expect(store.prune.mock.calls[1]![0]).toEqual(new Date(START + 30_000 + 10 * MINUTE - 7 * DAY));
    await jest.advanceTimersByTimeAsync(30 * MINUTE);
    expect(store.prune).toHaveBeenCalledTimes(5);
  });

  it('varies each wait by up to the jitter, and never waits longer than the interval before the first run', async () => {
    const { store, pruner: p } = pruner(async () => 0, { random: () => 0, firstRunAfterMs: 20 * MINUTE });
    running = p;

    // 20 min × 0.8 is longer than the interval, so the first run comes after 10 min.
    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(store.prune).toHaveBeenCalledTimes(1);
    // Then every 10 min × 0.8.
    await jest.advanceTimersByTimeAsync(8 * MINUTE - 1);
    expect(store.prune).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.prune).toHaveBeenCalledTimes(2);
  });

  it('logs how many records a run deleted, and nothing when it deleted none', async () => {
    const counts = [5, 0];
    const { log, pruner: p } = pruner(async () => counts.shift() ?? 0);
    running = p;

    await jest.advanceTimersByTimeAsync(30_000 + 10 * MINUTE);
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.info.mock.calls[0]![0]).toMatchObject({ deleted: 5 });
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('warns with the error message when a run fails, and tries again at the next interval', async () => {
    let calls = 0;
    const { store, log, pruner: p } = pruner(async () => {
      if (++calls === 1) throw new Error('connection terminated unexpectedly');
      return 3;
    });
    running = p;

    await jest.advanceTimersByTimeAsync(30_000);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]![0]).toEqual({ error: 'connection terminated unexpectedly' });

    await jest.advanceTimersByTimeAsync(10 * MINUTE);
    expect(store.prune).toHaveBeenCalledTimes(2);
    expect(log.info.mock.calls[0]![0]).toMatchObject({ deleted: 3 });
  });

  it('does not keep the process alive while it waits', async () => {
    const setTimer = jest.spyOn(globalThis, 'setTimeout');
    try {
      running = pruner(async () => 0).pruner;
      const timer = setTimer.mock.results[0]!.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      setTimer.mockRestore();
    }
  });

  it('never runs once stopped before its first run', async () => {
    const { store, pruner: p } = pruner(async () => 0);
    await p.stop();
    await jest.advanceTimersByTimeAsync(DAY);
    expect(store.prune).not.toHaveBeenCalled();
  });

  it('stops a running prune at its next chunk, waits for it, and schedules no further run', async () => {
    let finish!: (deleted: number) => void;
    let signal: AbortSignal | undefined;
    const { store, pruner: p } = pruner((_olderThan, options) => {
      signal = options?.signal;
      return new Promise<number>((resolve) => (finish = resolve));
    });
    await jest.advanceTimersByTimeAsync(30_000);
    expect(store.prune).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(signal?.aborted).toBe(true);
    expect(stopped).toBe(false);

    finish(0);
    await stopping;
    await jest.advanceTimersByTimeAsync(DAY);
    expect(store.prune).toHaveBeenCalledTimes(1);
  });

  it('refuses a retention, interval or jitter it cannot use', () => {
    const store = { prune: async () => 0 };
    const log = { info: () => {}, warn: () => {} };
    expect(() => startLedgerPruner({ store, log, retentionMs: 0, intervalMs: MINUTE })).toThrow(/retentionMs must be a positive integer/);
    expect(() => startLedgerPruner({ store, log, retentionMs: DAY, intervalMs: 1.5 })).toThrow(/intervalMs must be a positive integer/);
    expect(() => startLedgerPruner({ store, log, retentionMs: DAY, intervalMs: MINUTE, jitter: 1 })).toThrow(/jitter/);
  });
});
