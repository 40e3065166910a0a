import type { TrackerSummary } from './outcome.tracker.js';

/** `judge`: the judge stage alone, off the request path (judged responses per second). `metrics`: the metrics service's CPU per consumed event. */
export type BenchMode = 'embedded' | 'distributed' | 'judge' | 'metrics';

/** One row of the results table. */
export interface ScenarioResult {
  mode: BenchMode;
  /** `open-loop` at a fixed rate (cache misses), `cache-hit` (fixed rate, warmed pool), `burst` (N at once). */
  kind: 'open-loop' | 'cache-hit' | 'burst' | 'error';
  label: string;
  /** Offered rate for open-loop runs; null for a burst. */
  offeredRate: number | null;
  /** Outcomes per second: outcomes received / (last outcome - first scheduled send). */
  achievedRate: number | null;
  /** Requests per second the generator actually got onto the bus. */
  sentRate: number | null;
  summary: TrackerSummary | null;
  /** Share of outcomes served from the cache. */
  cacheHitRatio: number | null;
  /** CPU use during the measured window, percent of one core, per process (or `bench+embedded`). */
  cpuPercent: Record<string, number>;
  /** CPU milliseconds spent per outcome, all measured processes together: stable even when the machine is shared. */
  cpuMsPerRequest?: number;
  /** 1-minute load average at the end of the window: above the core count, other work competed for the CPUs. */
  loadAverage?: number;
  /** Embedded only: event-loop utilisation of the one process (0..1). */
  eventLoopUtilization?: number;
  /** Embedded only: how late timers ran (`monitorEventLoopDelay`): while the bus has a backlog, timers and I/O wait. */
  eventLoopDelayMs?: { p99: number; max: number };
  /** Peak resident memory of the bench process during the run, MiB (embedded). */
  rssMiB?: number;
  target: { text: string; pass: boolean } | null;
  /** Why the row has no figures (distributed mode could not run). */
  error?: string;
  notes: string[];
}

export interface BenchPlan {
  quick: boolean;
  embedded: { rates: number[]; durationMs: number; cacheHitRate: number; burst: number; warmupMs: number };
  distributed: { rates: number[]; durationMs: number; cacheHitRate: number; burst: number; warmupMs: number };
  drain: { idleMs: number; maxMs: number };
  /** Open-loop runs stop offering once this many seconds of traffic are queued (see `runOpenLoop`). */
  maxBacklogSeconds: number;
}

export interface BenchOptions {
  log: (line: string) => void;
  /** Write a `.cpuprofile` per measured window (embedded) or per service process (distributed) here. */
  cpuProfileDir: string | null;
}

export function planFor(quick: boolean): BenchPlan {
  return quick
    ? {
        quick,
        embedded: { rates: [1_000, 2_000, 5_000], durationMs: 2_000, cacheHitRate: 2_000, burst: 5_000, warmupMs: 1_000 },
        distributed: { rates: [200, 500, 1_000], durationMs: 3_000, cacheHitRate: 500, burst: 1_000, warmupMs: 2_000 },
        drain: { idleMs: 3_000, maxMs: 20_000 },
        maxBacklogSeconds: 2,
      }
    : {
        quick,
        // Durations keep the whole bench near 4 minutes on 2 cores, where the saturated runs take
        // longer to drain than to offer.
        embedded: { rates: [1_000, 2_000, 5_000], durationMs: 6_000, cacheHitRate: 2_000, burst: 20_000, warmupMs: 2_000 },
        distributed: { rates: [200, 500, 1_000], durationMs: 10_000, cacheHitRate: 500, burst: 2_000, warmupMs: 4_000 },
        drain: { idleMs: 5_000, maxMs: 60_000 },
        maxBacklogSeconds: 2,
      };
}

/** Builds the row for a finished run from the tracker's summary. */
export function resultFrom(
  base: Pick<ScenarioResult, 'mode' | 'kind' | 'label' | 'offeredRate'>,
  summary: TrackerSummary,
  extra: Partial<ScenarioResult> & { cpuSeconds?: number } = {},
): ScenarioResult {
  const achieved = summary.completionSpanMs > 0 ? (summary.received * 1000) / summary.completionSpanMs : null;
  const sentRate = summary.sendSpanMs > 0 ? (summary.sent * 1000) / summary.sendSpanMs : null;
  const hits = summary.bySource['cache'] ?? 0;
  const cpuSeconds = extra.cpuSeconds;
  delete extra.cpuSeconds;
  return {
    ...(cpuSeconds !== undefined && summary.received > 0 ? { cpuMsPerRequest: Math.round((cpuSeconds * 1e5) / summary.received) / 100 } : {}),
    ...base,
    achievedRate: achieved,
    sentRate,
    summary,
    cacheHitRatio: summary.received ? hits / summary.received : null,
    cpuPercent: {},
    target: null,
    notes: [],
    ...extra,
  };
}

export function errorRow(mode: BenchMode, label: string, error: string): ScenarioResult {
  return {
    mode,
    kind: 'error',
    label,
    offeredRate: null,
    achievedRate: null,
    sentRate: null,
    summary: null,
    cacheHitRatio: null,
    cpuPercent: {},
    target: null,
    error,
    notes: [],
  };
}

/**
 * The tenant the bench drives: allowed the simulator and without a request quota, so the figures
 * measure the pipeline, not the demo tenant's 600 requests per minute.
 */
export const BENCH_TENANT = { id: 'bench', name: 'Bench load', allowedModels: ['sim-1'], quotas: {} };
