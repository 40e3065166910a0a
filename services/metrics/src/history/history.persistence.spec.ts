import { LlmResponse, QualityScore, UsageEvent } from '#contracts';
import { InMemoryMetricsHistoryRepository, type MetricsHistoryRepository } from '#persistence';
import { seededRandom } from '#models';
import { AlertEngine } from '../alerts/alert.engine.js';
import { dashboardSeries } from '../dashboard/dashboard.series.js';
import type { MetricsDeps } from '../metrics.tokens.js';
import { RecordMetricsUseCase } from '../record/record-metrics.usecase.js';
import { HistoryPersistence } from './history.persistence.js';
import { MINUTE_MS, MetricsHistory } from './metrics-history.js';

const T0 = Date.parse('2026-12-05T10:00:00.000Z');
const MINUTES = 30;
const HOUR = 3_600_000;

/** One metrics replica: its own history, record use case and store writer over a shared repository. */
function replica(repository: MetricsHistoryRepository, clock: { now: number }, writer: string, retentionMs = 24 * HOUR) {
  const history = new MetricsHistory(6 * HOUR);
  const deps: MetricsDeps = { history, alerts: undefined as never, clock: { now: () => clock.now }, alertIntervalMs: 0, historyFlushIntervalMs: 0, consumerLagIntervalMs: 0 };
  const persistence = new HistoryPersistence({ history, repository, writer, now: () => clock.now, memoryMs: 6 * HOUR, retentionMs });
  return { history, record: new RecordMetricsUseCase(deps), persistence };
}

interface RawMinute {
  completed: number;
  blocked: number;
  failed: number;
  input: number;
  output: number;
  cost: number;
  hits: number;
  lookups: number;
  blocks: number;
  passes: number;
  qualityN: number;
  qualitySum: number;
  latency: number[];
  ttft: number[];
}

const emptyRaw = (): RawMinute => ({ completed: 0, blocked: 0, failed: 0, input: 0, output: 0, cost: 0, hits: 0, lookups: 0, blocks: 0, passes: 0, qualityN: 0, qualitySum: 0, latency: [], ttft: [] });

/** The exact percentile of the raw values (nearest rank), as HdrHistogram defines it. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Mixed traffic over `MINUTES` minutes, spread over two replicas (as Kafka spreads partitions), each
 * flushing to the shared store every 20 s; returns the raw events per minute, summed by hand.
 */
async function trafficThroughTwoReplicas(repository: MetricsHistoryRepository, clock: { now: number }) {
  const replicas = [replica(repository, clock, 'replica-a'), replica(repository, clock, 'replica-b')];
  const random = seededRandom(11);
  const raw = new Map<number, RawMinute>();
  let id = 0;
  for (let minute = 0; minute < MINUTES; minute++) {
    const minuteStart = T0 + minute * MINUTE_MS;
    const r = emptyRaw();
    raw.set(minuteStart, r);
    for (let i = 0; i < 40; i++) {
      clock.now = minuteStart + Math.floor((i / 40) * MINUTE_MS);
      const { record, persistence } = replicas[Math.floor(random() * 2)]!;
      const tenant = random() < 0.7 ? 'acme' : 'globex';
      const version = random() < 0.8 ? 1 : 2;
      const requestId = `r${id++}`;
      const blocked = random() < 0.1;
      const hit = !blocked && random() < 0.3;
      const latency = Math.round(hit ? 5 + random() * 20 : 80 + random() * random() * 3_000);
      record.response(LlmResponse.parse({
        requestId, tenantId: tenant, status: blocked ? 'blocked' : 'completed', content: blocked ? null : 'ok', source: blocked ? null : hit ? 'cache' : 'inference',
        cache: blocked ? null : hit ? 'hit-exact' : 'miss',
        verdicts: [{ phase: 'input', decision: blocked ? 'block' : 'pass', detector: 'injection' }],
        usage: null, timings: { stages: [], queueMs: 0, ttftMs: null, totalMs: latency },
        prompt: { name: 'support-answer', version }, model: 'sim-1', error: blocked ? { code: 'ballast.guardrail.blocked', message: 'blocked' } : null,
        judge: { mode: 'default', sampleRate: 0.1 }, completedAt: new Date(clock.now).toISOString(),
      }));
      r[blocked ? 'blocked' : 'completed']++;
      r.latency.push(latency);
      r[blocked ? 'blocks' : 'passes']++;
      if (!blocked) r.lookups++;
      if (hit) r.hits++;
      if (!blocked && !hit) {
        const ttft = Math.round(20 + random() * 400);
        const input = 50 + Math.floor(random() * 500);
        const output = 10 + Math.floor(random() * 200);
        const cost = (input * 0.15 + output * 0.6) / 1e6;
        record.usage(UsageEvent.parse({
          kind: 'inference', requestId, tenantId: tenant, promptName: 'support-answer', promptVersion: version, model: 'sim-1', provider: 'simulator',
          status: 'ok', inputTokens: input, outputTokens: output, costUsd: cost, latencyMs: latency, ttftMs: ttft,
        }));
        Object.assign(r, { input: r.input + input, output: r.output + output, cost: r.cost + cost });
        r.ttft.push(ttft);
        if (random() < 0.25) {
          const score = Math.round(random() * 100) / 100;
          record.quality(QualityScore.parse({
            requestId, tenantId: tenant, promptName: 'support-answer', promptVersion: version, model: 'sim-1',
            judge: { kind: 'heuristic', name: 'heuristic', rubricVersion: '1' }, score, criteria: {}, rationale: '', sampleRate: 0.25, judgedAt: new Date(clock.now).toISOString(),
          }));
          r.qualityN++;
          r.qualitySum += score;
        }
      }
      if (i % 13 === 0) {
        replicas[0]!.history.recordDeadLetter(clock.now);
        raw.set(minuteStart, r);
      }
      if (i % 13 === 0 || i === 39) await persistence.flush();
    }
    for (const { persistence } of replicas) await persistence.flush();
  }
  return { raw, replicas };
}

describe('HistoryPersistence', () => {
  it('rolls mixed traffic from two replicas up into the store: after a restart the dashboard matches the raw events (sums exact, percentiles within 1%)', async () => {
    const repository = new InMemoryMetricsHistoryRepository();
    const clock = { now: T0 };
    const { raw } = await trafficThroughTwoReplicas(repository, clock);

    // A new process: nothing in memory, everything from the store.
    clock.now = T0 + MINUTES * MINUTE_MS + 1_000;
    const restarted = replica(repository, clock, 'replica-c');
    expect(await restarted.persistence.load()).toBeGreaterThan(MINUTES);
    const engine = new AlertEngine({ history: restarted.history, clock: { now: () => clock.now }, sinks: [] });
    const series = await dashboardSeries(restarted.history, engine, { from: T0, to: T0 + MINUTES * MINUTE_MS }, 'all');

    const minutes = [...raw.keys()];
    const rows = [...raw.values()];
    expect(series.minutes).toEqual(minutes.map((m) => m / 1000));
    expect(series.traffic.completed).toEqual(rows.map((r) => r.completed));
    expect(series.traffic.blocked).toEqual(rows.map((r) => r.blocked));
    expect(series.tokens).toEqual({ input: rows.map((r) => r.input), output: rows.map((r) => r.output) });
    series.costUsd.forEach((cost, i) => expect(cost).toBeCloseTo(rows[i]!.cost, 12));
    expect(series.cacheHitRate).toEqual(rows.map((r) => r.hits / r.lookups));
    expect(series.verdicts.block).toEqual(rows.map((r) => r.blocks));
    expect(series.verdicts.pass).toEqual(rows.map((r) => r.passes));
    expect(series.quality.reduce((n, q) => n + q.n, 0)).toBe(rows.reduce((n, r) => n + r.qualityN, 0));
    expect(restarted.history.deadLettersPerMinute(T0, T0 + MINUTES * MINUTE_MS)).toEqual(rows.map(() => 4));
    expect(series.tenants!.map((t) => t.tenant).sort()).toEqual(['acme', 'globex']);

    // HdrHistogram with two significant digits: a percentile is within 1% of the exact one (+1 ms of rounding).
    for (const [i, r] of rows.entries()) {
      for (const p of [50, 95, 99] as const) {
        const latency = series.latencyMs[`p${p}`][i]!;
        const ttft = series.ttftMs[`p${p}`][i]!;
        expect(Math.abs(latency - exactPercentile(r.latency, p))).toBeLessThanOrEqual(exactPercentile(r.latency, p) * 0.01 + 1);
        expect(Math.abs(ttft - exactPercentile(r.ttft, p))).toBeLessThanOrEqual(exactPercentile(r.ttft, p) * 0.01 + 1);
      }
    }
  });

  it('is idempotent: flushing and reloading the same minutes again changes no total', async () => {
    const repository = new InMemoryMetricsHistoryRepository();
    const clock = { now: T0 };
    const { replicas } = await trafficThroughTwoReplicas(repository, clock);
    clock.now = T0 + MINUTES * MINUTE_MS;
    const reader = replica(repository, clock, 'reader');
    await reader.persistence.load();
    const total = () => reader.history.groups({ by: [] }, T0, clock.now)[0]!;
    const before = [...total().minutes.values()].map((b) => [b.requests.completed, b.tokens.input, b.latencyMs!.totalCount]);

    // Every minute written again (a retried flush), then read twice more.
    for (const { history, persistence } of replicas) {
      for (let m = T0; m < clock.now; m += MINUTE_MS) history.markDirty(m);
      await persistence.flush();
    }
    await reader.persistence.refresh();
    await reader.persistence.load();
    expect([...total().minutes.values()].map((b) => [b.requests.completed, b.tokens.input, b.latencyMs!.totalCount])).toEqual(before);
  });

  it('keeps the minutes of a failed write due for the next flush', async () => {
    const repository = new InMemoryMetricsHistoryRepository();
    const clock = { now: T0 };
    const writer = replica(repository, clock, 'flaky');
    writer.history.bucket(T0, { tenant: 'acme', prompt: '-', version: '-', model: '-' }).requests.completed = 3;
    const write = repository.write.bind(repository);
    repository.write = async () => Promise.reject(new Error('connection refused'));
    await expect(writer.persistence.flush()).rejects.toThrow('connection refused');
    repository.write = write;
    expect(await writer.persistence.flush()).toBe(1);
    expect((await repository.load({ since: new Date(T0) })).rows.map((r) => r.requests.completed)).toEqual([3]);
  });

  it('the sweeper deletes stored minutes older than the retention and keeps the newer ones', async () => {
    const repository = new InMemoryMetricsHistoryRepository();
    const clock = { now: T0 };
    const writer = replica(repository, clock, 'sweeper', 2 * HOUR);
    for (const hoursAgo of [5, 3, 1, 0]) {
      clock.now = T0 - hoursAgo * HOUR;
      writer.history.bucket(clock.now, { tenant: 'acme', prompt: '-', version: '-', model: '-' }).requests.completed = 1;
      writer.history.recordDeadLetter(clock.now);
    }
    await writer.persistence.flush();
    expect(await writer.persistence.sweep()).toBe(4);
    const left = await repository.load({ since: new Date(0) });
    expect(left.rows.map((r) => (T0 - r.minute.getTime()) / HOUR)).toEqual([1, 0]);
    expect(left.deadLetters.map((r) => (T0 - r.minute.getTime()) / HOUR)).toEqual([1, 0]);
  });
});
