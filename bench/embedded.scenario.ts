import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEADERS, TOPICS, type LlmResponse } from '#contracts';
import type { ConsumerHandle, Transport } from '#messaging';
import { startTelemetry } from '#observability';
import { distinctQuestions, pooledQuestions, runBurst, runOpenLoop, saturationNote, type RequestSink } from './load.generator.js';
import { WindowProfiler } from './cpu.profiler.js';
import { OutcomeTracker } from './outcome.tracker.js';
import { BENCH_TENANT, errorRow, resultFrom, type BenchOptions, type BenchPlan, type ScenarioResult } from './scenario.js';

const TENANT = BENCH_TENANT.id;
const API_KEY = 'ballast-bench-key';

interface Running {
  transport: Transport;
  stop(): Promise<void>;
  /** The tracker outcomes go to; swapped between phases. */
  setTracker(tracker: OutcomeTracker): void;
  sink: RequestSink;
  /** A note naming the records dead-lettered since the tracker was last set, by stage and error class (none: no note). */
  deadLetterNote(): string[];
}

/** Starts embedded Ballast in this process plus a consumer of `responses` that feeds the current tracker. */
async function start(root: string): Promise<Running> {
  const { startEmbedded } = await import('../apps/embedded/src/embedded.js');
  // A data dir of its own, as `npm start` always has (BALLAST_DATA_DIR): PGlite keeps its files on
  // disk. Without one it keeps them in memory, growing each file by copying it, which npm start never does.
  const dataDir = await mkdtemp(join(tmpdir(), 'ballast-bench-'));
  const ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: join(root, 'prompts'), dataDir });
  await ballast.tenants.upsertTenant(BENCH_TENANT);
  let tracker = new OutcomeTracker();
  const consumer: ConsumerHandle = await ballast.transport.consume({
    groupId: `ballast-bench-${process.pid}-${Date.now()}`,
    topics: [TOPICS.responses],
    concurrency: 1_024,
    fromBeginning: false,
    handle: async (record) => {
      const at = performance.now();
      // An in-process reader takes the envelope as the bus hands it over, as the stages do.
      const envelope = (record.decoded ?? JSON.parse(record.value.toString('utf8'))) as { payload: LlmResponse; createdAt: string };
      tracker.outcome({ requestId: envelope.payload.requestId, status: envelope.payload.status, source: envelope.payload.source, errorCode: envelope.payload.error?.code, stages: envelope.payload.timings?.stages, publishedAt: Date.parse(envelope.createdAt) }, at);
    },
  });
  // A request that is dead-lettered gets no outcome, so it shows as lost: the tally says where and why.
  const deadLetters = new Map<string, number>();
  const dlq: ConsumerHandle = await ballast.transport.consume({
    groupId: `ballast-bench-dlq-${process.pid}-${Date.now()}`,
    topics: [TOPICS.dlq],
    concurrency: 64,
    fromBeginning: false,
    handle: async (record) => {
      const why = `${record.headers[HEADERS.failedStage] ?? '?'} ${record.headers[HEADERS.originalTopic] ?? '?'}: ${record.headers[HEADERS.errorClass] ?? '?'} (${(record.headers[HEADERS.errorReason] ?? '').slice(0, 80)})`;
      deadLetters.set(why, (deadLetters.get(why) ?? 0) + 1);
    },
  });
  const headers = { [HEADERS.type]: 'ballast.request', [HEADERS.tenant]: TENANT };
  const sink: RequestSink = (batch) => {
    ballast.transport
      .send(batch.map((r) => ({ topic: TOPICS.requests, key: r.requestId, value: r.value, headers })))
      .catch((error: unknown) => process.stderr.write(`bench: send failed: ${String(error)}\n`));
  };
  return {
    transport: ballast.transport,
    sink,
    setTracker: (t) => {
      tracker = t;
      deadLetters.clear();
    },
    deadLetterNote: () =>
      deadLetters.size === 0 ? [] : [`dead-lettered: ${[...deadLetters].map(([why, n]) => `${n} × ${why}`).join('; ')}`],
    async stop() {
      await dlq.stop();
      await consumer.stop();
      await ballast.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * How late a 20 ms interval timer fires. `monitorEventLoopDelay` cannot show it: its own timer is
 * starved too, and a window in which it never fired reports 0.
 */
function timerLateness(everyMs: number) {
  const late: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - last - everyMs));
    last = now;
  }, everyMs);
  return {
    stop(): { p99: number; max: number } {
      clearInterval(timer);
      late.push(Math.max(0, performance.now() - last - everyMs));
      late.sort((a, b) => a - b);
      return { p99: Math.round(late[Math.min(late.length - 1, Math.floor(late.length * 0.99))]!), max: Math.round(late[late.length - 1]!) };
    },
  };
}

/** CPU and event-loop use of this process over a window (and a CPU profile of it with `--cpu-prof`). */
async function processMeter(profiler: WindowProfiler, name: string) {
  await profiler.start();
  const timers = timerLateness(20);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 250);
  return async () => {
    clearInterval(timer);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const lateness = timers.stop();
    const profile = await profiler.stop(name);
    return {
      notes: profile ? [`CPU profile: ${profile}`] : [],
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      loadAverage: Math.round(loadavg()[0]! * 10) / 10,
      cpuPercent: { 'bench+embedded': Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) },
      eventLoopUtilization: Math.round(elu * 100) / 100,
      eventLoopDelayMs: lateness,
      rssMiB: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 1_048_576),
    };
  };
}

/** A short run at a modest rate so the JIT, the prompt cache and the pools are warm before measuring. */
async function warmUp(run: Running, plan: BenchPlan, tag: string): Promise<void> {
  const tracker = new OutcomeTracker();
  run.setTracker(tracker);
  await runOpenLoop({ ratePerSecond: 500, durationMs: plan.embedded.warmupMs, idPrefix: `${tag}-warm`, tenantId: TENANT, question: distinctQuestions(`${tag}w`), sink: run.sink, tracker });
  await tracker.drain(plan.drain.idleMs, plan.drain.maxMs);
}

/**
 * Each scenario gets a fresh embedded instance, so one run's backlog (the in-memory bus keeps every
 * record) cannot slow the next one down.
 */
async function withInstance<T>(root: string, fn: (run: Running) => Promise<T>): Promise<T> {
  const run = await start(root);
  try {
    return await fn(run);
  } finally {
    await run.stop();
    (globalThis as { gc?: () => void }).gc?.();
  }
}

export async function runEmbedded(root: string, plan: BenchPlan, options: BenchOptions): Promise<ScenarioResult[]> {
  const { log } = options;
  const profiler = new WindowProfiler(options.cpuProfileDir);
  // Like `npm start`: tracing on (no exporter), so spans and context propagation cost what they cost in production.
  await startTelemetry({ serviceName: 'ballast-bench' });
  const results: ScenarioResult[] = [];
  const tag = `bench-${Date.now().toString(36)}`;
  const p = plan.embedded;
  const fmt = (n: number) => n.toLocaleString('en-US');

  /** One row: a fresh instance, a warm-up, then `body` measured. A failure becomes a row that says why. */
  const scenario = async (label: string, body: (run: Running, measure: () => Promise<Awaited<ReturnType<typeof processMeter>>>) => Promise<ScenarioResult>) => {
    try {
      results.push(await withInstance(root, async (run) => {
        await warmUp(run, plan, `${tag}-w${results.length}`);
        return body(run, () => processMeter(profiler, `embedded-${label.replace(/[^a-z0-9]+/gi, '-')}`));
      }));
    } catch (error) {
      results.push(errorRow('embedded', label, describe(error)));
    }
  };

  for (const rate of p.rates) {
    const label = `${fmt(rate)} req/s, cache miss`;
    log(`embedded: ${rate} req/s for ${p.durationMs / 1000} s (distinct questions)`);
    await scenario(label, async (run, measure) => {
      const tracker = new OutcomeTracker();
      run.setTracker(tracker);
      const meter = await measure();
      const end = await runOpenLoop({ ratePerSecond: rate, durationMs: p.durationMs, idPrefix: `${tag}-r${rate}`, tenantId: TENANT, question: distinctQuestions(`${tag}r${rate}`), sink: run.sink, tracker, maxBacklogSeconds: plan.maxBacklogSeconds });
      await tracker.drain(plan.drain.idleMs, plan.drain.maxMs);
      const row = resultFrom({ mode: 'embedded', kind: 'open-loop', label, offeredRate: rate }, tracker.summary(), await meter());
      row.notes.push(...saturationNote(end), ...run.deadLetterNote());
      if (rate === 5_000) row.target = { text: 'sustains 5,000 req/s', pass: (row.achievedRate ?? 0) >= 0.95 * rate && row.summary!.lost === 0 };
      return row;
    });
  }

  if (p.cacheHitRate > 0) {
    const label = `${fmt(p.cacheHitRate)} req/s, cache hit`;
    log(`embedded: cache-hit run at ${p.cacheHitRate} req/s for ${p.durationMs / 1000} s (200 warmed questions)`);
    await scenario(label, async (run, measure) => {
      const pool = pooledQuestions(200);
      const fill = new OutcomeTracker();
      run.setTracker(fill);
      await runOpenLoop({ ratePerSecond: 500, durationMs: 400, idPrefix: `${tag}-hfill`, tenantId: TENANT, question: pool, sink: run.sink, tracker: fill });
      await fill.drain(plan.drain.idleMs, plan.drain.maxMs);
      await new Promise((r) => setTimeout(r, 500)); // the cache stores answers as it reads them from `responses`
      const tracker = new OutcomeTracker();
      run.setTracker(tracker);
      const meter = await measure();
      const end = await runOpenLoop({ ratePerSecond: p.cacheHitRate, durationMs: p.durationMs, idPrefix: `${tag}-hit`, tenantId: TENANT, question: pool, sink: run.sink, tracker, maxBacklogSeconds: plan.maxBacklogSeconds });
      await tracker.drain(plan.drain.idleMs, plan.drain.maxMs);
      const row = resultFrom({ mode: 'embedded', kind: 'cache-hit', label, offeredRate: p.cacheHitRate }, tracker.summary(), await meter());
      row.notes.push(...saturationNote(end), ...run.deadLetterNote());
      return row;
    });
  }

  if (p.burst > 0) {
    const label = `burst ${fmt(p.burst)}, cache miss`;
    log(`embedded: burst of ${fmt(p.burst)} requests (max throughput)`);
    await scenario(label, async (run, measure) => {
      const tracker = new OutcomeTracker();
      run.setTracker(tracker);
      const meter = await measure();
      await runBurst({ count: p.burst, idPrefix: `${tag}-burst`, tenantId: TENANT, question: distinctQuestions(`${tag}b`), sink: run.sink, tracker });
      await tracker.drain(plan.drain.idleMs, plan.drain.maxMs);
      const row = resultFrom({ mode: 'embedded', kind: 'burst', label, offeredRate: null }, tracker.summary(), await meter());
      row.notes.push(...run.deadLetterNote());
      row.target = { text: 'max throughput ≥ 5,000 req/s', pass: (row.achievedRate ?? 0) >= 5_000 && row.summary!.lost === 0 };
      return row;
    });
  }
  return results;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface SoakPlan {
  durationMs: number;
  ratePerSecond: number;
  /** One sample line per interval (a minute by default). */
  intervalMs: number;
}

export interface SoakSample {
  minute: number;
  achievedPerSecond: number;
  p99Ms: number;
  lost: number;
  cpuMsPerRequest: number;
  rssMiB: number;
  heapUsedMiB: number;
  eventLoopDelayP99Ms: number;
}

/**
 * A steady open loop of distinct questions for `durationMs`, one sample per interval: throughput,
 * p99, CPU per request, RSS, heap and timer lateness. Memory must stay flat and throughput must not
 * fall: the row's target compares the trend over the last two thirds of the run.
 */
export async function runEmbeddedSoak(root: string, soak: SoakPlan, options: BenchOptions): Promise<ScenarioResult[]> {
  const { log } = options;
  await startTelemetry({ serviceName: 'ballast-bench' });
  const tag = `soak-${Date.now().toString(36)}`;
  const label = `soak ${Math.round(soak.durationMs / 60_000)} min at ${soak.ratePerSecond.toLocaleString('en-US')} req/s`;
  try {
    return [
      await withInstance(root, async (run) => {
        const samples: SoakSample[] = [];
        let last = new OutcomeTracker();
        const started = performance.now();
        let lost = 0;
        for (let i = 0; performance.now() - started < soak.durationMs; i++) {
          const tracker = (last = new OutcomeTracker());
          run.setTracker(tracker);
          const timers = timerLateness(20);
          const cpu0 = process.cpuUsage();
          await runOpenLoop({ ratePerSecond: soak.ratePerSecond, durationMs: Math.min(soak.intervalMs, soak.durationMs - (performance.now() - started)), idPrefix: `${tag}-${i}`, tenantId: TENANT, question: distinctQuestions(`${tag}${i}`), sink: run.sink, tracker });
          await tracker.drain(1_000, 30_000);
          const cpu = process.cpuUsage(cpu0);
          const s = tracker.summary();
          const memory = process.memoryUsage();
          lost += s.lost;
          const sample: SoakSample = {
            minute: Math.round(((performance.now() - started) / 60_000) * 10) / 10,
            achievedPerSecond: Math.round(s.completionSpanMs > 0 ? (s.received * 1000) / s.completionSpanMs : 0),
            p99Ms: Math.round(s.latencyMs.p99 * 10) / 10,
            lost: s.lost,
            cpuMsPerRequest: s.received ? Math.round(((cpu.user + cpu.system) / 1000 / s.received) * 100) / 100 : 0,
            rssMiB: Math.round(memory.rss / 1_048_576),
            heapUsedMiB: Math.round(memory.heapUsed / 1_048_576),
            eventLoopDelayP99Ms: timers.stop().p99,
          };
          samples.push(sample);
          log(`soak: ${JSON.stringify(sample)}`);
        }
        const tail = samples.slice(Math.floor(samples.length / 3));
        const rssSlope = slopePerMinute(tail.map((x) => [x.minute, x.rssMiB]));
        const rateSlope = slopePerMinute(tail.map((x) => [x.minute, x.achievedPerSecond]));
        const flat = tail.length < 3 || (rssSlope <= 2 && rateSlope >= -0.01 * soak.ratePerSecond);
        // Latency columns: the last interval; the samples note has every interval.
        const row = resultFrom({ mode: 'embedded', kind: 'open-loop', label, offeredRate: soak.ratePerSecond }, last.summary(), {
          rssMiB: Math.max(...samples.map((x) => x.rssMiB)),
        });
        row.achievedRate = samples.reduce((a, x) => a + x.achievedPerSecond, 0) / Math.max(1, samples.length);
        row.cpuMsPerRequest = Math.round((samples.reduce((a, x) => a + x.cpuMsPerRequest, 0) / Math.max(1, samples.length)) * 100) / 100;
        row.target = { text: 'flat memory and throughput over the last 2/3', pass: flat && lost === 0 };
        row.notes.push(
          `soak trend over the last ${tail.length} samples: RSS ${rssSlope.toFixed(2)} MiB/min, throughput ${rateSlope.toFixed(2)} req/s per min; lost ${lost}`,
          `soak samples (minute, req/s, p99 ms, CPU-ms/req, RSS MiB, heap MiB, timer p99 ms): ${samples.map((x) => `${x.minute} ${x.achievedPerSecond} ${x.p99Ms} ${x.cpuMsPerRequest} ${x.rssMiB} ${x.heapUsedMiB} ${x.eventLoopDelayP99Ms}`).join(' | ')}`,
        );
        return row;
      }),
    ];
  } catch (error) {
    return [errorRow('embedded', label, describe(error))];
  }
}

/** Least-squares slope of y over x (per minute); 0 with fewer than two points. */
function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}
