import type { ProcessedMessageStore } from './processed-message.store.js';

/** Where the pruner reports; a pino logger fits. */
export interface LedgerPrunerLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Time as the pruner sees it; tests pass jest's fake timers through the defaults or their own. */
export interface LedgerPrunerClock {
  now(): number;
  /** Runs `callback` after `ms` without keeping the process alive; the returned function cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

export interface LedgerPrunerOptions {
  store: Pick<ProcessedMessageStore, 'prune'>;
  /** Records older than this are deleted. */
  retentionMs: number;
  /** The mean time between runs. */
  intervalMs: number;
  /** Each wait is `intervalMs` ± this fraction, drawn at random, so replicas started together spread out. Default 0.2. */
  jitter?: number;
  /** The wait before the first run, jittered the same way and never longer than `intervalMs`. Default 30 s. */
  firstRunAfterMs?: number;
  /** Rows per delete statement; see `PruneOptions.batchSize`. */
  batchSize?: number;
  log: LedgerPrunerLog;
  clock?: LedgerPrunerClock;
  /** A number in [0, 1). Default `Math.random`. */
  random?: () => number;
}

export interface LedgerPruner {
  /** Cancels the next run and waits for a running one, which stops after its current chunk. */
  stop(): Promise<void>;
}

const systemClock: LedgerPrunerClock = {
  now: () => Date.now(),
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Prunes the idempotency ledger on a timer: every run deletes the records older than `retentionMs`.
 * A failed run is logged as a warning (the error message only) and the next run tries again.
 *
 * @example
 * const pruner = startLedgerPruner({ store: new TypeormProcessedMessageStore(ds), retentionMs: 7 * 86_400_000, intervalMs: 600_000, log });
 * // on shutdown, before ds.destroy():
 * await pruner.stop();
 */
export function startLedgerPruner(options: LedgerPrunerOptions): LedgerPruner {
  const { store, retentionMs, intervalMs, batchSize, log } = options;
  const jitter = options.jitter ?? 0.2;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  for (const [name, value] of Object.entries({ retentionMs, intervalMs })) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`jitter must be from 0 to below 1, got ${jitter}`);

  const jittered = (ms: number): number => Math.round(ms * (1 + jitter * (2 * random() - 1)));
  const aborter = new AbortController();
  let cancelNext: () => void = () => {};
  let running: Promise<void> | null = null;

  const runOnce = async (): Promise<void> => {
    const olderThan = new Date(clock.now() - retentionMs);
    try {
      const deleted = await store.prune(olderThan, { ...(batchSize === undefined ? {} : { batchSize }), signal: aborter.signal });
      if (deleted > 0) log.info({ deleted, olderThan: olderThan.toISOString() }, 'pruned the idempotency ledger');
    } catch (error) {
      log.warn({ error: error instanceof Error ? error.message : String(error) }, 'pruning the idempotency ledger failed; trying again at the next interval');
    }
  };

  const scheduleIn = (ms: number): void => {
    cancelNext = clock.schedule(() => {
      running = runOnce().finally(() => {
        running = null;
        if (!aborter.signal.aborted) scheduleIn(jittered(intervalMs));
      });
    }, ms);
  };
  scheduleIn(Math.min(jittered(options.firstRunAfterMs ?? 30_000), intervalMs));

  return {
    async stop() {
      aborter.abort();
      cancelNext();
      await running;
    },
  };
}
