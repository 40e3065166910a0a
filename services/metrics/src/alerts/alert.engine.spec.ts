import type { Alert } from '#contracts';
import { InMemoryAlertStateRepository, openDataSource, startEmbeddedPostgres, TypeormAlertStateRepository, type AlertStateRepository, type EmbeddedPostgres } from '#persistence';
import type { DataSource } from 'typeorm';
import { seededRandom } from '#models';
import { dashboardSeries } from '../dashboard/dashboard.series.js';
import { MINUTE_MS, MetricsHistory, type SeriesLabels } from '../history/metrics-history.js';
import { AlertEngine, type AlertSink } from './alert.engine.js';

const SERIES: SeriesLabels = { tenant: 'acme', prompt: 'support-answer', version: '1', model: 'sim-1' };
/** Four hours of history before the anomaly starts, so every baseline window is full. */
const ONSET = 240;
const MINUTES = ONSET + 20;

/** Seeded noise: normal samples (Box–Muller over mulberry32) and Bernoulli draws. */
function noise(seed: number) {
  const random = seededRandom(seed);
  return {
    normal: (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
    chance: (p: number) => random() < p,
  };
}
type Noise = ReturnType<typeof noise>;

/** One minute of events; `level` is 1 before the anomaly and the anomaly's size after it. */
type Feed = (history: MetricsHistory, at: number, level: number, n: Noise) => void;

/**
 * Feeds `MINUTES` minutes of simulated time and runs the engine like the scheduler does: every
 * minute before the onset, every 15 s after it. `level(minute)` shapes the series (steady, trend, step).
 */
async function simulate(feed: Feed, level: (minute: number) => number, seed = 7) {
  const history = new MetricsHistory(24 * 3_600_000);
  let now = 0;
  const delivered: Alert[] = [];
  const sink: AlertSink = { name: 'test', deliver: async (a) => void delivered.push(a) };
  const engine = new AlertEngine({ history, clock: { now: () => now }, sinks: [sink] });
  const n = noise(seed);
  for (let minute = 0; minute < MINUTES; minute++) {
    feed(history, minute * MINUTE_MS, level(minute), n);
    const ticks = minute >= ONSET ? [15_000, 30_000, 45_000, 59_999] : [59_999];
    for (const tick of ticks) {
      now = minute * MINUTE_MS + tick;
      await engine.evaluate();
    }
  }
  return { delivered, engine };
}

const steady = () => 1;
/** A slow trend: `growth` more by the end of the run than at its start (e.g. 0.5 = +50% over ~4 h). */
const trend = (growth: number) => (minute: number) => 1 + (growth * minute) / MINUTES;
const step = (size: number) => (minute: number) => (minute >= ONSET ? size : 1);

/** Minutes from the onset to the first firing alert of `kind`, or null. */
function minutesToAlert(delivered: readonly Alert[], kind: Alert['kind']): number | null {
  const first = delivered.find((a) => a.kind === kind && a.state === 'firing');
  return first ? (Date.parse(first.firedAt) - ONSET * MINUTE_MS) / MINUTE_MS : null;
}

const tokens: Feed = (h, at, level, n) => {
  const b = h.bucket(at, SERIES);
  const t = Math.max(0, n.normal(20_000 * level, 2_000));
  b.tokens.input += Math.round(t * 0.7);
  b.tokens.output += Math.round(t * 0.3);
  b.costUsd += t * 2e-6;
};
const ttft: Feed = (h, at, level, n) => {
  for (let i = 0; i < 60; i++) h.recordTtft(at + i * 1_000, SERIES, Math.exp(n.normal(Math.log(300 * level), 0.25)));
};
const latency: Feed = (h, at, level, n) => {
  for (let i = 0; i < 60; i++) h.recordLatency(at + i * 1_000, SERIES, Math.exp(n.normal(Math.log(900 * level), 0.3)));
};
/** `level` scales the share of blocked requests (5% normally). */
const blocks: Feed = (h, at, level, n) => {
  const b = h.bucket(at, SERIES);
  for (let i = 0; i < 60; i++) {
    if (n.chance(0.05 * level)) b.requests.blocked++;
    else b.requests.completed++;
  }
};
/** `level` scales the cache hit rate (60% normally). */
const cacheHits: Feed = (h, at, level, n) => {
  const b = h.bucket(at, SERIES);
  for (let i = 0; i < 60; i++) {
    b.cache.lookups++;
    if (n.chance(0.6 * level)) b.cache.hits++;
  }
};
/** `level` scales the mean judge score (0.85 normally). */
const quality: Feed = (h, at, level, n) => {
  const q = h.bucket(at, SERIES).quality;
  for (let i = 0; i < 10; i++) {
    const score = Math.min(1, Math.max(0, n.normal(0.85 * level, 0.1)));
    q.n++;
    q.sum += score;
    q.sumSq += score * score;
  }
};
/** `level` scales the dead-letter rate (0.3 a minute normally). */
const deadLetters: Feed = (h, at, level, n) => {
  for (let i = 0; i < 20; i++) if (n.chance((0.3 * level) / 20)) h.recordDeadLetter(at + i * 3_000);
};

describe('AlertEngine detectors on synthetic series', () => {
  const cases: { kind: Alert['kind']; feed: Feed; anomaly: number; within: number; trend: number }[] = [
    { kind: 'token_spike', feed: tokens, anomaly: 2, within: 5, trend: 0.5 },
    { kind: 'cost_spike', feed: tokens, anomaly: 2, within: 5, trend: 0.5 },
    { kind: 'ttft_drift', feed: ttft, anomaly: 1.5, within: 5, trend: 0.3 },
    { kind: 'latency_drift', feed: latency, anomaly: 1.5, within: 5, trend: 0.3 },
    { kind: 'block_rate_jump', feed: blocks, anomaly: 5, within: 5, trend: 0.6 },
    { kind: 'cache_hit_rate_collapse', feed: cacheHits, anomaly: 0.2, within: 5, trend: -0.15 },
    { kind: 'quality_drop', feed: quality, anomaly: 0.7, within: 15, trend: -0.05 },
    { kind: 'dlq_growth', feed: deadLetters, anomaly: 20, within: 5, trend: 1 },
  ];

  it.each(cases)('$kind: fires within $within minutes of a ×$anomaly step', async ({ kind, feed, anomaly, within }) => {
    const { delivered } = await simulate(feed, step(anomaly));
    const after = minutesToAlert(delivered, kind);
    expect(after).not.toBeNull();
    expect(after!).toBeGreaterThanOrEqual(0);
    expect(after!).toBeLessThanOrEqual(within);
  });

  it.each(cases)('$kind: silent on a steady series', async ({ feed }) => {
    const { delivered } = await simulate(feed, steady, 11);
    expect(delivered).toEqual([]);
  });

  it.each(cases)('$kind: silent on a slow trend', async ({ feed, trend: growth }) => {
    const { delivered } = await simulate(feed, trend(growth), 13);
    expect(delivered).toEqual([]);
  });
});

describe('AlertEngine firing and resolving', () => {
  it('sends one firing alert while a spike lasts and one resolved alert when it ends', async () => {
    const spikeFor10 = (minute: number) => (minute >= ONSET && minute < ONSET + 10 ? 2.5 : 1);
    const { delivered, engine } = await simulate(tokens, spikeFor10);
    const spikes = delivered.filter((a) => a.kind === 'token_spike');
    expect(spikes.map((a) => a.state)).toEqual(['firing', 'resolved']);
    expect(spikes[0]!.labels).toEqual({ tenant: 'acme', prompt: 'support-answer' });
    expect(spikes[1]!.key).toBe(spikes[0]!.key);
    expect(Date.parse(spikes[1]!.resolvedAt!)).toBeGreaterThan(Date.parse(spikes[0]!.firedAt));
    expect(await engine.open()).toEqual([]);
    expect((await engine.recentlyResolved())[0]!.kind).toBe('token_spike');
  });

  it('lists a firing alert as open, with its value above the threshold', async () => {
    const { engine } = await simulate(ttft, step(2));
    const open = (await engine.open()).find((a) => a.kind === 'ttft_drift');
    expect(open?.state).toBe('firing');
    expect(open!.value).toBeGreaterThanOrEqual(open!.threshold);
    expect(open!.baseline).toBeLessThan(open!.value);
  });

  it('a quality floor fires for a new version without a baseline', async () => {
    const history = new MetricsHistory();
    const now = 10 * MINUTE_MS;
    const q = history.bucket(now, { ...SERIES, version: '2' }).quality;
    for (let i = 0; i < 25; i++) {
      q.n++;
      q.sum += 0.3;
      q.sumSq += 0.09;
    }
    const engine = new AlertEngine({ history, clock: { now: () => now }, sinks: [] });
    const [alert] = await engine.evaluate();
    expect(alert).toMatchObject({ kind: 'quality_drop', severity: 'critical', labels: { prompt: 'support-answer', version: '2' }, baseline: null });
  });

  it('a sink that fails does not stop the others', async () => {
    const history = new MetricsHistory();
    for (let i = 0; i < 10; i++) history.recordDeadLetter(0);
    const got: Alert[] = [];
    const errors: string[] = [];
    const engine = new AlertEngine({
      history,
      clock: { now: () => 30_000 },
      sinks: [
        { name: 'broken', deliver: async () => Promise.reject(new Error('down')) },
        { name: 'ok', deliver: async (a) => void got.push(a) },
      ],
      onSinkError: (sink) => errors.push(sink),
    });
    await engine.evaluate();
    expect(got.map((a) => a.kind)).toEqual(['dlq_growth']);
    expect(errors).toEqual(['broken']);
  });
});

/**
 * Metrics replicas over one alert state: each replica's history holds the same minutes (as when they
 * share it through Postgres: the same seeded series fed to each), and every tick all replicas
 * evaluate at once. `restartAt`: at that minute replica 0 is replaced by a new engine whose history
 * is reloaded (the same minutes again) — a restart.
 */
async function replicas(state: AlertStateRepository, feed: Feed, level: (minute: number) => number, options: { count: number; restartAt?: number; until?: number }) {
  let now = 0;
  const delivered: { replica: string; alert: Alert }[] = [];
  const start = (name: string, upTo: number) => {
    const history = new MetricsHistory(24 * 3_600_000);
    const n = noise(7);
    for (let minute = 0; minute < upTo; minute++) feed(history, minute * MINUTE_MS, level(minute), n);
    const sink: AlertSink = { name: 'test', deliver: async (alert) => void delivered.push({ replica: name, alert }) };
    return { name, history, n, engine: new AlertEngine({ history, clock: { now: () => now }, sinks: [sink], state }) };
  };
  const running = Array.from({ length: options.count }, (_, i) => start(`replica-${i}`, 0));
  for (let minute = 0; minute < (options.until ?? MINUTES); minute++) {
    if (minute === options.restartAt) running[0] = start('replica-0-restarted', minute);
    for (const r of running) feed(r.history, minute * MINUTE_MS, level(minute), r.n);
    const ticks = minute >= ONSET ? [15_000, 30_000, 45_000, 59_999] : [59_999];
    for (const tick of ticks) {
      now = minute * MINUTE_MS + tick;
      await Promise.all(running.map((r) => r.engine.evaluate()));
    }
  }
  return { delivered, running };
}

const spikeFor10 = (minute: number) => (minute >= ONSET && minute < ONSET + 10 ? 2.5 : 1);

let pg: EmbeddedPostgres | undefined;
let ds: DataSource | undefined;
afterAll(async () => {
  await ds?.destroy();
  await pg?.stop();
});

describe.each([
  ['the in-memory fake', async (): Promise<AlertStateRepository> => new InMemoryAlertStateRepository()],
  [
    'PGlite',
    async (): Promise<AlertStateRepository> => {
      if (!ds) {
        pg = await startEmbeddedPostgres();
        ds = await openDataSource({ url: pg.url, poolSize: pg.maxConnections });
      }
      await ds.query('DELETE FROM metrics_alerts');
      return new TypeormAlertStateRepository(ds);
    },
  ],
] as const)('AlertEngine over a shared alert state (%s)', (_name, createState) => {
  it('two replicas evaluating the same series publish one firing and one resolved alert between them', async () => {
    const { delivered } = await replicas(await createState(), tokens, spikeFor10, { count: 2 });
    const spikes = delivered.filter((d) => d.alert.kind === 'token_spike');
    expect(spikes.map((d) => d.alert.state)).toEqual(['firing', 'resolved']);
    expect(spikes[1]!.alert.key).toBe(spikes[0]!.alert.key);
    expect(spikes[1]!.alert.firedAt).toBe(spikes[0]!.alert.firedAt);
    // Without a shared state each replica publishes its own pair (the per-process behaviour without a database).
    const apart = await Promise.all([simulate(tokens, spikeFor10), simulate(tokens, spikeFor10)]);
    expect(apart.flatMap((r) => r.delivered).filter((a) => a.kind === 'token_spike').map((a) => a.state)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  }, 60_000);

  it('a restarted replica does not fire an alert already open again, and publishes its resolve when the condition clears', async () => {
    const { delivered } = await replicas(await createState(), tokens, spikeFor10, { count: 1, restartAt: ONSET + 6 });
    const spikes = delivered.filter((d) => d.alert.kind === 'token_spike');
    expect(spikes.map((d) => [d.replica, d.alert.state])).toEqual([
      ['replica-0', 'firing'],
      ['replica-0-restarted', 'resolved'],
    ]);
    expect(spikes[1]!.alert.firedAt).toBe(spikes[0]!.alert.firedAt);
  }, 60_000);

  it("the dashboard's open alerts are the shared state: a replica that fired nothing lists the other's alert, with its latest value", async () => {
    const state = await createState();
    const { running } = await replicas(state, tokens, spikeFor10, { count: 1, until: ONSET + 5 });
    const fired = await running[0]!.engine.open();
    expect(fired.map((a) => a.kind)).toContain('token_spike');
    const idle = new AlertEngine({ history: new MetricsHistory(), clock: { now: () => (ONSET + 5) * MINUTE_MS }, sinks: [], state });
    const series = await dashboardSeries(new MetricsHistory(), idle, { from: ONSET * MINUTE_MS, to: (ONSET + 5) * MINUTE_MS }, 'all');
    expect(series.alerts.open).toEqual(fired);
    const spike = series.alerts.open.find((a) => a.kind === 'token_spike')!;
    expect(spike.value).toBeGreaterThanOrEqual(spike.threshold);
  }, 60_000);
});
