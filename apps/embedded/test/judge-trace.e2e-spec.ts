import { jest } from '@jest/globals';
import { TOPICS, type QualityScore, type UsageEvent } from '#contracts';
import { finishedSpans, shutdownTelemetry, startTelemetry, type ReadableSpan } from '#observability';
import { waitUntil } from '#testing';
import { startEmbedded, type Embedded } from '../src/embedded.js';

jest.setTimeout(60_000);

const API_KEY = 'test-key-judge-trace';
const QUESTION = 'Where is my parcel number 4711?';

describe('one trace from ingress to the judge (embedded, the simulator as judge model)', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'memory' });
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', env: { ...process.env, BALLAST_JUDGE_MODEL: 'sim-judge', LOG_LEVEL: 'error' } });
  });
  afterAll(async () => {
    await ballast?.stop();
    await shutdownTelemetry();
  });

  const payloads = <T>(topic: string) => ballast.broker.records(topic).map((r) => (JSON.parse(r.value.toString()) as { payload: T }).payload);

  it('covers ingress → guardrail → cache → inference → guardrail → response → judge, with messaging and GenAI attributes and no content', async () => {
    const res = await fetch(`${ballast.url}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'judged-trace-1', prompt: { name: 'support-answer' }, variables: { question: QUESTION }, options: { judge: 'always' } }),
    });
    expect(res.status).toBe(200);
    const answer = ((await res.json()) as { content: string }).content;

    const spansOf = () => finishedSpans().filter((s) => s.attributes['ballast.request_id'] === 'judged-trace-1');
    const judged = () => spansOf().find((s) => s.name === `process ${TOPICS.responses}` && s.attributes['ballast.stage'] === 'judge');
    await waitUntil(() => judged() !== undefined && spansOf().some((s) => s.name === 'chat sim-judge'), 'the judge span and its model call');
    const spans = spansOf();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    // The hops in order: each stage's span starts after the one before it.
    const first = (name: string, stage: string): ReadableSpan => {
      const found = spans.filter((s) => s.name === name && s.attributes['ballast.stage'] === stage).sort((a, b) => start(a) - start(b))[0];
      if (!found) throw new Error(`no span '${name}' of stage ${stage} in the trace: ${spans.map((s) => `${s.name}/${s.attributes['ballast.stage']}`).join(', ')}`);
      return found;
    };
    const hops = [
      first(`send ${TOPICS.guardInput}`, 'ingress'),
      first(`process ${TOPICS.guardInput}`, 'guardrail'),
      first(`process ${TOPICS.cacheLookup}`, 'cache'),
      first(`process ${TOPICS.inference}`, 'inference'),
      first(`process ${TOPICS.guardOutput}`, 'guardrail'),
      first(`send ${TOPICS.responses}`, 'guardrail'),
      judged()!,
    ];
    for (let i = 1; i < hops.length; i++) expect(start(hops[i]!)).toBeGreaterThanOrEqual(start(hops[i - 1]!));

    // Messaging attributes on every send/process span.
    for (const s of spans.filter((s) => /^(send|process) /.test(s.name))) {
      expect(s.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': s.name.split(' ')[1], 'messaging.operation.type': s.name.split(' ')[0] });
    }
    expect(judged()!.attributes['messaging.consumer.group.name']).toEqual(expect.stringContaining('judge'));

    // GenAI attributes on the model calls: the answer's (inference) and the verdict's (judge).
    const chat = (model: string, stage: string) => spans.find((s) => s.name === `chat ${model}` && s.attributes['ballast.stage'] === stage)!;
    for (const [model, stage] of [['sim-1', 'inference'], ['sim-judge', 'judge']] as const) {
      expect(chat(model, stage).attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.provider.name': 'ballast.simulator' });
      expect(chat(model, stage).attributes['gen_ai.usage.input_tokens']).toEqual(expect.any(Number));
    }
    expect(chat('sim-1', 'inference').attributes['gen_ai.prompt.name']).toBe('support-answer');

    // The judge's result is an event on the judged trace, and the quality score says who judged.
    const evaluations = judged()!.events.filter((e) => e.name === 'gen_ai.evaluation.result');
    expect(evaluations.map((e) => e.attributes!['gen_ai.evaluation.name'])).toContain('helpfulness-v1');
    await waitUntil(() => payloads<QualityScore>(TOPICS.qualityScores).some((q) => q.requestId === 'judged-trace-1'), 'the quality score');
    expect(payloads<QualityScore>(TOPICS.qualityScores).find((q) => q.requestId === 'judged-trace-1')).toMatchObject({ judgeModel: 'sim-judge', rubric: { name: 'helpfulness-v1' } });
    expect(payloads<UsageEvent>(TOPICS.usage).filter((u) => u.requestId === 'judged-trace-1' && u.kind === 'judge')).toEqual([expect.objectContaining({ model: 'sim-judge', status: 'ok' })]);

    // No prompt or completion content on any span, attribute or event, by default.
    const texts = spans.flatMap((s) => [...Object.values(s.attributes), ...s.events.flatMap((e) => Object.values(e.attributes ?? {}))]).map(String);
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.evaluation.explanation']) {
      expect(spans.filter((s) => key in s.attributes || s.events.some((e) => key in (e.attributes ?? {})))).toEqual([]);
    }
    expect(texts.filter((t) => t.includes('4711') || t.includes(answer))).toEqual([]);
  });
});

function start(span: ReadableSpan): number {
  return span.startTime[0] * 1e9 + span.startTime[1];
}
