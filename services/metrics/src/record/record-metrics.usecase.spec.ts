import { LlmResponse, QualityScore, UsageEvent } from '#contracts';
import { MINUTE_MS, MetricsHistory } from '../history/metrics-history.js';
import type { MetricsDeps } from '../metrics.tokens.js';
import { RecordMetricsUseCase } from './record-metrics.usecase.js';

const T0 = Date.parse('2026-12-05T10:00:00.000Z');

function response(over: Partial<LlmResponse>): LlmResponse {
  return LlmResponse.parse({
    requestId: 'r',
    tenantId: 'acme',
    status: 'completed',
    content: 'ok',
    source: 'inference',
    cache: 'miss',
    verdicts: [{ phase: 'input', decision: 'pass', detector: 'injection' }],
    usage: null,
    timings: { stages: [], queueMs: 0, ttftMs: 50, totalMs: 200 },
    prompt: { name: 'support-answer', version: 1 },
    model: 'sim-1',
    error: null,
    judge: { mode: 'default', sampleRate: 0.1 },
    completedAt: new Date(T0).toISOString(),
    ...over,
  });
}

function usage(over: Partial<UsageEvent>): UsageEvent {
  return UsageEvent.parse({
    kind: 'inference',
    requestId: 'r',
    tenantId: 'acme',
    promptName: 'support-answer',
    promptVersion: 1,
    model: 'sim-1',
    provider: 'simulator',
    status: 'ok',
    inputTokens: 100,
    outputTokens: 40,
    costUsd: 0.001,
    latencyMs: 180,
    ttftMs: 60,
    ...over,
  });
}

describe('RecordMetricsUseCase roll-up', () => {
  it('rolls raw events up per minute: counts, tokens, cost, percentiles, cache, verdicts and quality match the events', () => {
    const history = new MetricsHistory();
    let now = T0 + 5_000;
    const deps: MetricsDeps = { history, alerts: undefined as never, clock: { now: () => now }, alertIntervalMs: 0, historyFlushIntervalMs: 0, consumerLagIntervalMs: 0 };
    const record = new RecordMetricsUseCase(deps);

    const latencies = [100, 200, 300, 400, 1000];
    latencies.forEach((ms, i) => record.response(response({ requestId: `r${i}`, timings: { stages: [], queueMs: 0, ttftMs: 10, totalMs: ms } })));
    record.response(response({ requestId: 'hit', cache: 'hit-exact', source: 'cache' }));
    record.response(response({ requestId: 'blocked', status: 'blocked', cache: null, verdicts: [{ phase: 'input', decision: 'block', detector: 'injection', spans: [] }] }));
    record.usage(usage({ ttftMs: 60 }));
    record.usage(usage({ ttftMs: 90, inputTokens: 10, outputTokens: 5, costUsd: 0.0005 }));
    record.usage(usage({ kind: 'judge', ttftMs: null, inputTokens: 7, outputTokens: 3, costUsd: null }));
    record.quality(QualityScore.parse({
      requestId: 'r0', tenantId: 'acme', promptName: 'support-answer', promptVersion: 1, model: 'sim-1',
      judge: { kind: 'heuristic', name: 'heuristic', rubricVersion: '1' }, score: 0.8, criteria: {}, rationale: '', sampleRate: 1, judgedAt: new Date(T0).toISOString(),
    }));
    now = T0 + MINUTE_MS + 1; // the next minute: a separate bucket
    record.usage(usage({ inputTokens: 1, outputTokens: 1, costUsd: 0 }));

    const [first] = history.groups({ by: ['tenant', 'prompt', 'version'] }, T0, T0 + MINUTE_MS);
    const b = first!.minutes.get(T0)!;
    expect(first!.labels).toEqual({ tenant: 'acme', prompt: 'support-answer', version: '1' });
    expect(b.requests).toEqual({ completed: 6, blocked: 1, failed: 0 });
    expect(b.tokens).toEqual({ input: 117, output: 48 });
    expect(b.costUsd).toBeCloseTo(0.0015, 10);
    expect(b.cache).toEqual({ lookups: 6, hits: 1 });
    expect(b.verdicts).toEqual({ pass: 6, redact: 0, block: 1 });
    expect(b.latencyMs!.totalCount).toBe(7);
    expect(b.latencyMs!.maxValue).toBeGreaterThanOrEqual(990);
    expect(b.ttftMs!.totalCount).toBe(2);
    expect(b.quality).toEqual({ n: 1, sum: 0.8, sumSq: 0.8 * 0.8 });

    const next = history.window({ by: [] }, T0 + MINUTE_MS, T0 + 2 * MINUTE_MS);
    expect([...next.values()][0]!.bucket.tokens).toEqual({ input: 1, output: 1 });
  });
});
