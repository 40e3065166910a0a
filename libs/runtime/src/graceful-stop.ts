import type { INestApplication } from '@nestjs/common';
import { registerReadinessCheck, shutdownTelemetry, type Logger } from '#observability';

/** One stage app as a graceful stop sees it. */
export interface DrainTarget {
  /** HTTP requests accepted and not yet answered. */
  httpInFlight(): number;
  /** Bus records being handled. */
  recordsInFlight(): number;
  /** New HTTP requests get 503 `ballast.shutting_down` from now on. */
  closeIntake(): void;
  /** Stops consuming; resolves once the records in flight are finished and committed. */
  stopConsuming(): Promise<void>;
}

export interface DrainOptions {
  /** How long in-flight work may take; 0 stops at once. */
  graceMs: number;
  /**
   * True when every stage runs in this process (embedded mode): the consumers keep running until
   * nothing is in flight anywhere, because the HTTP waiters need the whole pipeline to answer. False
   * for one distributed service: it stops consuming at once (its partitions move to other replicas)
   * while its own HTTP requests finish.
   */
  wholePipeline: boolean;
  /** How often the counts are read. */
  pollMs?: number;
  /** Reads in a row that must find nothing in flight: a record between two stages is in neither count for a moment. */
  idleReads?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface DrainReport {
  /** HTTP requests in flight when the drain began. */
  httpAtStart: number;
  /** Bus records in flight when the drain began. */
  recordsAtStart: number;
  /** Requests and records still in flight when the drain ended: non-zero means the grace ran out. */
  inFlight: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Closes HTTP intake, then waits until nothing is in flight or `graceMs` has passed. It never
 * closes anything itself: the caller closes the apps afterwards, whatever the report says.
 */
export async function drain(targets: readonly DrainTarget[], options: DrainOptions): Promise<DrainReport> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? sleepFor;
  const pollMs = options.pollMs ?? 20;
  const idleReads = options.idleReads ?? 3;
  const deadline = now() + options.graceMs;
  const http = () => targets.reduce((n, t) => n + t.httpInFlight(), 0);
  const records = () => targets.reduce((n, t) => n + t.recordsInFlight(), 0);

  for (const target of targets) target.closeIntake();
  const report = { httpAtStart: http(), recordsAtStart: records() };
  let consumersStopped = options.wholePipeline;
  if (!options.wholePipeline) {
    // A failed stop is the close's to report; the drain only waits for it.
    void Promise.allSettled(targets.map((t) => t.stopConsuming())).then(() => (consumersStopped = true));
  }
  for (let idle = 0; now() < deadline; ) {
    idle = http() + records() === 0 && consumersStopped ? idle + 1 : 0;
    if (idle >= idleReads) break;
    await sleep(Math.max(0, Math.min(pollMs, deadline - now())));
  }
  return { ...report, inFlight: http() + records() };
}

const targetByApp = new WeakMap<INestApplication, DrainTarget>();

/** Called by `createStageApp`: what a graceful stop of this app needs. */
export function registerDrainTarget(app: INestApplication, target: DrainTarget): void {
  targetByApp.set(app, target);
}

function drainTargetOf(app: INestApplication): DrainTarget {
  return (
    targetByApp.get(app) ?? {
      httpInFlight: () => 0,
      recordsInFlight: () => 0,
      closeIntake: () => undefined,
      stopConsuming: async () => undefined,
    }
  );
}

/**
 * Stops apps built by `createStageApp` gracefully: readiness fails and HTTP intake closes at once,
 * in-flight requests and records get up to `graceMs` (see `drain`), then the apps close in the
 * order given (upstream first, so nothing downstream closes under work still flowing to it).
 */
export async function stopStageApps(apps: readonly INestApplication[], options: DrainOptions): Promise<DrainReport> {
  const removeCheck = registerReadinessCheck('shutdown', () => {
    throw new Error('shutting down');
  });
  try {
    const report = await drain(apps.map(drainTargetOf), options);
    for (const app of apps) await app.close();
    return report;
  } finally {
    removeCheck();
  }
}

/** Time for closing consumers, connections and telemetry after the grace, before the stop is forced. */
export const CLOSE_MARGIN_MS = 4_000;

export interface StopSignalOptions {
  /** The graceful stop: drain (bounded by `graceMs`) and close everything. */
  stop(): Promise<DrainReport>;
  graceMs: number;
  logger: Logger;
  signals?: readonly NodeJS.Signals[];
  /** For tests; defaults to the real process. */
  process?: { on(signal: NodeJS.Signals, listener: () => void): unknown; exit(code: number): void };
  now?: () => number;
}

/**
 * On the first SIGTERM or SIGINT: runs `stop`, flushes telemetry, logs one `stopped` line and exits
 * 0; a stop still running `CLOSE_MARGIN_MS` after the grace exits 1. Later signals change nothing:
 * one Ctrl-C under `npm start` reaches the app twice (from the terminal and forwarded by npm).
 */
export function exitGracefullyOnSignals(options: StopSignalOptions): void {
  const proc = options.process ?? process;
  const now = options.now ?? (() => performance.now());
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const begun = now();
    const elapsed = () => Math.round(now() - begun);
    const forced = setTimeout(() => {
      options.logger.error({ signal, ms: elapsed() }, 'stop did not finish in time; exiting anyway');
      proc.exit(1);
    }, options.graceMs + CLOSE_MARGIN_MS);
    options
      .stop()
      .then(async (report) => {
        await shutdownTelemetry();
        clearTimeout(forced);
        const line = { signal, drained: { http: report.httpAtStart, records: report.recordsAtStart }, inFlight: report.inFlight, ms: elapsed() };
        if (report.inFlight > 0) options.logger.warn(line, 'stopped');
        else options.logger.info(line, 'stopped');
        proc.exit(0);
      })
      .catch((error: unknown) => {
        clearTimeout(forced);
        options.logger.error({ signal, err: error, ms: elapsed() }, 'stop failed');
        proc.exit(1);
      });
  };
  // `on`, not `once`: without a listener, a second signal would kill the process mid-drain.
  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as const)) proc.on(signal, () => onSignal(signal));
}
