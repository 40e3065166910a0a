import { ERROR_CODES, type LlmResponse, type QualityScore, type UsageEvent } from '#contracts';
import { InMemoryMetricsHistoryRepository } from '#persistence';
import { seededRandom } from '#models';
import { AlertEngine } from '../../services/metrics/src/alerts/alert.engine.js';
import { HistoryPersistence } from '../../services/metrics/src/history/history.persistence.js';
import { MINUTE_MS, MetricsHistory } from '../../services/metrics/src/history/metrics-history.js';
import type { MetricsDeps } from '../../services/metrics/src/metrics.tokens.js';
import { RecordMetricsUseCase } from '../../services/metrics/src/record/record-metrics.usecase.js';
import type { BenchOptions, BenchPlan, ScenarioResult } from '../scenario.js';

const TENANTS = Array.from({ length: 20 }, (_, i) => `tenant-${i}`);
const PROMPTS = ['support-answer', 'summarise', 'classify'];
/** Simulated traffic: events per second of the metrics clock (about 200 requests/s with their usage and scores). */
const EVENTS_PER_SECOND = 500;
/** How much history the detectors' baselines hold before the measured window (the longest baseline is 5 h). */
const HISTORY_HOURS = 5;
const ALERT_INTERVAL_MS = 15_000;
const FLUSH_INTERVAL_MS = 10_000;

type Event = { kind: 'response'; value: LlmResponse } | { kind: 'usage'; value: UsageEvent } | { kind: 'quality'; value: QualityScore };

/**
 * What the metrics service consumes per request, in the proportions of a cached, guarded, sampled
 * pipeline: every request one outcome; a miss (60%) also an inference usage event; 5% blocked by the
 * input guardrail; 10% judged (a quality score and the judge's usage event).
 */
function events(count: number): Event[] {
  const random = seededRandom(42);
  const out: Event[] = [];
  for (let i = 0; out.length < count; i++) {
    const tenantId = TENANTS[Math.floor(random() * random() * TENANTS.length)]!;
    const name = PROMPTS[i % PROMPTS.length]!;
    const version = random() < 0.9 ? 1 : 2;
    const requestId = `bench-metrics-${i}`;
    const roll = random();
    const blocked = roll < 0.05;
    const hit = !blocked && roll < 0.4;
    const totalMs = hit ? 3 + random() * 10 : 200 + random() * 1_500;
    out.push({
      kind: 'response',
      value: {
        requestId, tenantId, status: blocked ? 'blocked' : 'completed', content: blocked ? null : 'ok', source: blocked ? null : hit ? 'cache' : 'inference',
        cache: blocked ? null : hit ? 'hit-semantic' : 'miss',
        verdicts: [{ phase: 'input', decision: blocked ? 'block' : 'pass', detector: 'injection', spans: [] }, ...(blocked ? [] : [{ phase: 'output' as const, decision: 'pass' as const, detector: 'output-safety', spans: [] }])],
        usage: null, timings: { stages: [], queueMs: 1, ttftMs: null, totalMs },
        prompt: { name, version }, model: 'gpt-4o-mini', error: blocked ? { code: ERROR_CODES.guardrailBlocked, message: 'blocked' } : null,
        cacheStore: null, judge: { mode: 'default', sampleRate: 0.1 }, metadata: {}, completedAt: new Date(0).toISOString(),
      } as LlmResponse,
    });
    if (!blocked && !hit) {
      out.push({
        kind: 'usage',
        value: {
          kind: 'inference', requestId, tenantId, promptName: name, promptVersion: version, model: 'gpt-4o-mini', provider: 'openai', status: 'ok',
          inputTokens: 300 + Math.floor(random() * 700), outputTokens: 50 + Math.floor(random() * 300), costUsd: 0.0002, latencyMs: totalMs - 5, ttftMs: 80 + random() * 300,
        } as UsageEvent,
      });
    }
    if (!blocked && random() < 0.1) {
      out.push({
        kind: 'quality',
        value: {
          requestId, tenantId, promptName: name, promptVersion: version, model: 'gpt-4o-mini', score: 0.5 + random() / 2,
          judge: { kind: 'heuristic', name: 'heuristic', rubricVersion: '1' }, criteria: {}, rationale: '', sampleRate: 0.1, judgedAt: new Date(0).toISOString(),
        } as unknown as QualityScore,
      });
      out.push({
        kind: 'usage',
        value: {
          kind: 'judge', requestId, tenantId, promptName: name, promptVersion: version, model: 'gpt-4o', provider: 'openai', status: 'ok',
          inputTokens: 600, outputTokens: 80, costUsd: 0.002, latencyMs: 900, ttftMs: null,
        } as UsageEvent,
      });
    }
  }
  return out.slice(0, count);
}

/**
 * The metrics service's CPU per consumed event, off the request path: a realistic mix of outcomes,
 * usage events and quality scores replayed into its record use case (Prometheus series and the
 * per-minute history) on a simulated clock at `EVENTS_PER_SECOND`, with the alert engine evaluating
 * every detector every 15 s and the history flushed every 10 s (to the in-memory repository: the
 * encoding is the service's work, the database's is not), over `HISTORY_HOURS` of prior history.
 * Envelope parsing by the stage consumer is not included (it is the same for every stage).
 */
export async function runMetrics(_root: string, plan: BenchPlan, options: BenchOptions): Promise<ScenarioResult[]> {
  const total = plan.quick ? 50_000 : 400_000;
  const mix = events(total);
  const rows: ScenarioResult[] = [];
  for (const withTimers of [false, true]) {
    const t0 = Date.UTC(2026, 11, 6);
    let now = t0;
    const history = new MetricsHistory((HISTORY_HOURS + 1) * 3_600_000);
    const engine = new AlertEngine({ history, clock: { now: () => now }, sinks: [] });
    const persistence = new HistoryPersistence({ history, repository: new InMemoryMetricsHistoryRepository(), writer: 'bench', now: () => now, memoryMs: HISTORY_HOURS * 3_600_000, retentionMs: 168 * 3_600_000 });
    const deps: MetricsDeps = { history, alerts: engine, clock: { now: () => now }, alertIntervalMs: 0, historyFlushIntervalMs: 0, consumerLagIntervalMs: 0 };
    const record = new RecordMetricsUseCase(deps);
    const feed = (e: Event) => (e.kind === 'response' ? record.response(e.value) : e.kind === 'usage' ? record.usage(e.value) : record.quality(e.value));

    // Prior history (not measured), so the detectors' baselines are full.
    const priorEvents = HISTORY_HOURS * 3_600 * 10; // a lighter past (10 events/s, every series present each minute) keeps the set-up short
    options.log(`metrics: ${withTimers ? 'with' : 'without'} alert engine and store flush; ${HISTORY_HOURS} h of prior history, then ${total} events`);
    for (let i = 0; i < priorEvents; i++) {
      now = t0 + Math.floor((i * HISTORY_HOURS * 3_600_000) / priorEvents);
      feed(mix[i % mix.length]!);
    }
    const start = t0 + HISTORY_HOURS * 3_600_000;
    if (withTimers) {
      now = start;
      await engine.evaluate();
      await persistence.flush();
    }
    let nextAlert = start + ALERT_INTERVAL_MS;
    let nextFlush = start + FLUSH_INTERVAL_MS;
    let evaluations = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      now = start + Math.floor((i * 1000) / EVENTS_PER_SECOND);
      if (withTimers && now >= nextAlert) {
        await engine.evaluate();
        evaluations++;
        nextAlert += ALERT_INTERVAL_MS;
      }
      if (withTimers && now >= nextFlush) {
        await persistence.flush();
        nextFlush += FLUSH_INTERVAL_MS;
      }
      feed(mix[i]!);
    }
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const simulatedMinutes = Math.round((total / EVENTS_PER_SECOND / 60) * 10) / 10;
    rows.push({
      mode: 'metrics',
      kind: 'burst',
      label: withTimers
        ? `${total} events + ${evaluations} detector runs + store flushes (${simulatedMinutes} simulated min)`
        : `${total} events, record only (Prometheus series + per-minute history)`,
      offeredRate: null,
      achievedRate: total / (wallMs / 1000),
      sentRate: null,
      // Latency columns are not measured here (per-event timing would cost more than the event): they print as —.
      summary: {
        sent: total, received: total, lost: 0, duplicates: 0, notCompleted: {}, bySource: {}, sendSpanMs: wallMs, completionSpanMs: wallMs,
        latencyMs: { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN, mean: Number.NaN }, stagesMs: [],
      },
      cacheHitRatio: null,
      cpuPercent: { 'bench+metrics': Math.round((cpuMs / wallMs) * 100) },
      cpuMsPerRequest: Math.round((cpuMs / total) * 10_000) / 10_000,
      target: null,
      notes: [`achieved/s = events recorded per second; CPU-ms per request = per event (${Math.round((cpuMs / total) * 1000 * 100) / 100} CPU-µs); ${TENANTS.length} tenants × ${PROMPTS.length} prompts × 2 versions, ${MINUTE_MS / 1000}-s minutes`],
    });
  }
  return rows;
}
