import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { ERROR_CODES, QualityScore, TOPICS, UsageEvent, createEnvelope, type Envelope, type LlmResponse } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { PRICE_TABLE, ScriptedProvider, SimulatorProvider, type Provider } from '#models';
import { finishedSpans, metricsRegistry, resetFinishedSpans, shutdownTelemetry, startTelemetry } from '#observability';
import type { JudgeDeps } from '../judge.tokens.js';
import { ProviderJudgeModel } from './provider.judge-model.js';
import { JudgeResponseUseCase } from './judge-response.usecase.js';

const RUBRICS = join(import.meta.dirname, '../../../../rubrics');
const silent = pino({ level: 'silent' });

function completed(requestId: string, judge: Partial<LlmResponse['judge']> = {}): LlmResponse {
  return {
    requestId,
    tenantId: 'acme',
    status: 'completed',
    content: 'Your parcel ships tomorrow; the tracking link is in your email.',
    source: 'inference',
    cache: 'miss',
    verdicts: [],
    usage: { inputTokens: 20, outputTokens: 12, cachedTokens: 0, costUsd: 0, estimated: true },
    timings: { stages: [], queueMs: 0, ttftMs: 1, totalMs: 5 },
    prompt: { name: 'support-answer', version: 3 },
    model: 'sim-1',
    error: null,
    cacheStore: null,
    judge: { mode: 'default', sampleRate: 1, rubric: 'helpfulness-v1', input: 'Where is my parcel?', ...judge },
    metadata: {},
    completedAt: new Date().toISOString(),
  };
}

/** The judge use case on the in-memory bus, with what it published readable by topic. */
function harness(options: { providers?: Provider[]; judgeModel?: string | null; rubricsDir?: string; noModel?: boolean } = {}) {
  const broker = new MemoryBroker(3);
  const transport = new MemoryTransport(broker);
  const model = options.noModel ? null : new ProviderJudgeModel({ providers: options.providers ?? [new SimulatorProvider()], prices: PRICE_TABLE });
  const deps: JudgeDeps = { publisher: new Publisher(transport, 'judge'), model, judgeModel: options.judgeModel === undefined ? 'sim-judge' : options.judgeModel, rubricsDir: options.rubricsDir ?? RUBRICS, verdictAttempts: 2, logger: silent };
  const useCase = new JudgeResponseUseCase(deps);
  const payloads = (topic: string) => broker.records(topic).map((r) => (JSON.parse(r.value.toString()) as Envelope<unknown>).payload);
  return {
    judge: (response: LlmResponse) => useCase.execute(createEnvelope(TOPICS.responses, response, response)),
    scores: () => payloads(TOPICS.qualityScores).map((p) => QualityScore.parse(p)),
    usage: () => payloads(TOPICS.usage).map((p) => UsageEvent.parse(p)),
    close: () => transport.close(),
  };
}

async function judgeErrors(code: string): Promise<number> {
  const metric = (await metricsRegistry.getSingleMetric('ballast_judge_judgements_total')!.get()).values;
  return metric.filter((v) => v.labels['outcome'] === 'error' && v.labels['error_code'] === code).reduce((n, v) => n + v.value, 0);
}

describe('JudgeResponseUseCase', () => {
  beforeAll(() => startTelemetry({ serviceName: 'judge-test', exporter: 'memory' }));
  afterAll(() => shutdownTelemetry());
  afterEach(() => resetFinishedSpans());

  it('publishes one quality score with every field, scored by the simulator as judge model, and a usage event per judge call', async () => {
    const h = harness();
    await h.judge(completed('q-1', { sampleRate: 1 }));
    const [score, ...more] = h.scores();
    expect(more).toEqual([]);
    expect(score).toMatchObject({
      requestId: 'q-1',
      tenantId: 'acme',
      promptName: 'support-answer',
      promptVersion: 3,
      model: 'sim-1',
      judgeModel: 'sim-judge',
      judge: { kind: 'model', name: 'sim-judge', rubricVersion: 'helpfulness-v1@1' },
      rubric: { name: 'helpfulness-v1', version: 1 },
      mode: 'single',
      sampleRate: 1,
      sampledBy: 'rate',
      samples: 1,
      judgeCost: { calls: 1, costUsd: 0 },
    });
    expect(score!.criterionScores!.map((c) => [c.name, c.kind])).toEqual([['correctness', 'accuracy'], ['helpfulness', 'helpfulness'], ['tone', 'tone']]);
    for (const c of score!.criterionScores!) {
      expect(c.score).toBeGreaterThanOrEqual(1);
      expect(score!.criteria[c.name]).toBeCloseTo((c.score - 1) / 4);
    }
    expect(score!.judgeCost!.inputTokens).toBeGreaterThan(0);
    const usage = h.usage();
    expect(usage).toEqual([expect.objectContaining({ kind: 'judge', requestId: 'q-1', model: 'sim-judge', provider: 'simulator', status: 'ok', call: 1, costUsd: 0 })]);
    expect(usage[0]!.inputTokens).toBe(score!.judgeCost!.inputTokens);
    await h.close();
  });

  it('grades against the reference when the request carried one (mode: reference)', async () => {
    const h = harness();
    await h.judge(completed('q-ref', { reference: 'It ships tomorrow.' }));
    expect(h.scores()[0]).toMatchObject({ mode: 'reference' });
    await h.close();
  });

  it('falls back to the heuristic when no judge model is configured, and says so', async () => {
    const h = harness({ judgeModel: null });
    await h.judge(completed('q-h'));
    expect(h.scores()[0]).toMatchObject({ judgeModel: 'heuristic', judge: { kind: 'heuristic' }, rubric: { name: 'heuristic-v1' }, judgeCost: { calls: 0, costUsd: 0 } });
    expect(h.usage()).toEqual([expect.objectContaining({ kind: 'judge', provider: 'heuristic', model: null, status: 'ok' })]);
    const none = harness({ noModel: true });
    await none.judge(completed('q-h2'));
    expect(none.scores()[0]!.judgeModel).toBe('heuristic');
    await Promise.all([h.close(), none.close()]);
  });

  it('records a rubric that does not parse as a judge error: no score, an error usage event with the code, counted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rubrics-'));
    await writeFile(join(dir, 'broken-v1.yaml'), 'name: broken-v1\ncriteria: []\njudgePrompt: x\nverdictSchema: {}\n');
    const before = await judgeErrors(ERROR_CODES.rubricInvalid);
    const h = harness({ rubricsDir: dir });
    await h.judge(completed('q-broken', { rubric: 'broken-v1' }));
    expect(h.scores()).toEqual([]);
    expect(h.usage()).toEqual([expect.objectContaining({ kind: 'judge', status: 'error', errorCode: ERROR_CODES.rubricInvalid })]);
    expect(await judgeErrors(ERROR_CODES.rubricInvalid)).toBe(before + 1);
    await h.close();
  });

  it('records an unparsable verdict as a judge error after the retry, with the usage of both calls', async () => {
    const scripted = new ScriptedProvider('scripted', ['judge-x'], [{ content: 'I would give it a 4.' }]);
    const before = await judgeErrors(ERROR_CODES.judgeInvalidVerdict);
    const h = harness({ providers: [scripted], judgeModel: 'judge-x' });
    await h.judge(completed('q-bad'));
    expect(h.scores()).toEqual([]);
    expect(scripted.requests).toHaveLength(2);
    const usage = h.usage();
    expect(usage.filter((u) => u.call !== undefined).map((u) => [u.call, u.status, u.inputTokens])).toEqual([[1, 'ok', 100], [2, 'ok', 100]]);
    expect(usage.at(-1)).toMatchObject({ status: 'error', errorCode: ERROR_CODES.judgeInvalidVerdict, model: 'judge-x' });
    expect(await judgeErrors(ERROR_CODES.judgeInvalidVerdict)).toBe(before + 1);
    await h.close();
  });

  it('leaves responses the policy does not sample, and never judges a blocked one', async () => {
    const h = harness();
    await h.judge(completed('q-skip', { sampleRate: 0 }));
    await h.judge({ ...completed('q-blocked', { mode: 'always' }), status: 'blocked' });
    expect(h.scores()).toEqual([]);
    expect(h.usage()).toEqual([]);
    await h.close();
  });

  it('adds gen_ai.evaluation.result events to the judged trace, without the explanation by default', async () => {
    const h = harness();
    const span = trace.getTracer('test').startSpan('process ballast.responses.v1');
    await context.with(trace.setSpan(context.active(), span), () => h.judge(completed('q-span')));
    span.end();
    const events = finishedSpans().find((s) => s.name === 'process ballast.responses.v1')!.events.filter((e) => e.name === 'gen_ai.evaluation.result');
    expect(events.map((e) => e.attributes!['gen_ai.evaluation.name'])).toEqual(['helpfulness-v1.correctness', 'helpfulness-v1.helpfulness', 'helpfulness-v1.tone', 'helpfulness-v1']);
    for (const e of events) {
      expect(e.attributes!['gen_ai.evaluation.score.value']).toEqual(expect.any(Number));
      expect(['pass', 'fail']).toContain(e.attributes!['gen_ai.evaluation.score.label']);
      expect(e.attributes!['gen_ai.evaluation.explanation']).toBeUndefined();
    }
    // The judge's own model call is a `chat {model}` span on the same trace.
    const chat = finishedSpans().find((s) => s.name === 'chat sim-judge')!;
    expect(chat.spanContext().traceId).toBe(span.spanContext().traceId);
    expect(chat.attributes['ballast.stage']).toBe('judge');
    await h.close();
  });
});
