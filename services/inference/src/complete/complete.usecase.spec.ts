import { ERROR_CODES, type ResponseFormat } from '#contracts';
import { createLogger } from '#observability';
import { inferenceEnvelope, inferenceHarness, pipelineState } from '../../test/support/inference.harness.js';
import { ProviderCallError, InstantClock, ScriptedProvider } from '#models';

const http = (status: number) => new ProviderCallError('http', `HTTP ${status}`, { status });
const contact: ResponseFormat = {
  type: 'json_schema',
  name: 'contact',
  strict: true,
  schema: { type: 'object', required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: 'string' } } },
};
const resilience = { clock: new InstantClock(), random: () => 0.5 };

describe('CompleteUseCase', () => {
  it('forwards the completion to the output guardrail and publishes one priced usage event', async () => {
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [{ model: 'gpt-4o-2024-08-06', inputTokens: 1_000, cachedTokens: 400, outputTokens: 100 }]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'ok-1', model: 'gpt-4o' })));
    const [state] = h.forwarded('ok-1');
    expect(state!.completion).toMatchObject({ content: 'an answer', model: 'gpt-4o-2024-08-06', provider: 'openai', ttftMs: 5 });
    // 600 uncached × 2.5 + 400 cached × 1.25 + 100 output × 10, per million
    expect(state!.completion!.usage.costUsd).toBeCloseTo(0.003, 9);
    const [usage] = h.usage('ok-1');
    expect(usage).toMatchObject({ status: 'ok', call: 1, provider: 'openai', model: 'gpt-4o-2024-08-06', inputTokens: 1_000, cachedTokens: 400, priceTableVersion: '2026-11-26', promptName: 'support-answer', promptVersion: 3 });
    expect(usage!.costUsd).toBeCloseTo(0.003, 9);
  });

  it('calls the provider at most once per request: a redelivery replays the recorded completion', async () => {
    const provider = new ScriptedProvider('sim', ['sim-1'], [{}]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    const envelope = inferenceEnvelope(pipelineState({ requestId: 'once' }));
    await h.useCase.execute(envelope);
    await h.useCase.execute(envelope);
    expect(provider.requests).toHaveLength(1);
    expect(h.forwarded('once')).toHaveLength(2);
    expect(h.usage('once')).toHaveLength(1);
  });

  it('retries a 503, then answers; both calls publish usage and the request pays for both', async () => {
    const clock = new InstantClock();
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [http(503), {}]);
    const h = inferenceHarness({ providers: [provider], clock, random: () => 0 });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'retry', model: 'gpt-4o' })));
    expect(provider.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([125]);
    expect(h.usage('retry').map((u) => [u.call, u.status, u.errorType])).toEqual([
      [1, 'error', 'http_503'],
      [2, 'ok', null],
    ]);
    expect(h.forwarded('retry')[0]!.completion!.usage.inputTokens).toBe(100);
  });

  it("falls back along the prompt's fallbackModels when a model keeps failing", async () => {
    const primary = new ScriptedProvider('openai', ['gpt-4o'], [http(500)]);
    const backup = new ScriptedProvider('anthropic', ['claude-sonnet-4-5'], [{ content: 'from the backup' }]);
    const h = inferenceHarness({ providers: [primary, backup], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'fb', model: 'gpt-4o', fallbackModels: ['claude-sonnet-4-5'] })));
    expect(primary.requests).toHaveLength(3);
    expect(h.forwarded('fb')[0]!.completion).toMatchObject({ content: 'from the backup', provider: 'anthropic' });
    expect(h.usage('fb').map((u) => u.status)).toEqual(['error', 'error', 'error', 'ok']);
  });

  it('does not retry a 400 on the same model, and fails with provider_error when no model is left', async () => {
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [http(400)]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'bad', model: 'gpt-4o' })));
    expect(provider.requests).toHaveLength(1);
    expect(h.responses('bad')[0]).toMatchObject({ status: 'failed', error: { code: ERROR_CODES.providerError } });
    expect(h.responses('bad')[0]!.error!.message).toContain('gpt-4o: HTTP 400');
  });

  it('replays a recorded failure on redelivery instead of calling again', async () => {
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [http(401)]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    const envelope = inferenceEnvelope(pipelineState({ requestId: 'fail-once', model: 'gpt-4o' }));
    await h.useCase.execute(envelope);
    await h.useCase.execute(envelope);
    expect(provider.requests).toHaveLength(1);
    expect(h.responses('fail-once').map((r) => r.status)).toEqual(['failed', 'failed']);
  });

  it('fails with provider_unavailable, without a call, when no provider serves the model', async () => {
    const h = inferenceHarness({ providers: [new ScriptedProvider('sim', ['sim-1'], [{}])], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'nobody', model: 'mystery-7b' })));
    expect(h.responses('nobody')[0]).toMatchObject({ status: 'failed', error: { code: ERROR_CODES.providerUnavailable } });
    expect(h.usage('nobody')).toHaveLength(0);
  });

  it('accounts a stream cut after output as a partial, estimated, failed call', async () => {
    const cut = new ProviderCallError('truncated', 'the stream ended without data: [DONE]', { partial: { content: 'Your parcel is', ttftMs: 12, inputTokens: 40, outputTokens: 4, cachedTokens: 0 } });
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [cut, {}]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'partial', model: 'gpt-4o' })));
    const [failed, ok] = h.usage('partial');
    expect(failed).toMatchObject({ status: 'error', partial: true, estimated: true, inputTokens: 40, outputTokens: 4, ttftMs: 12, errorType: 'stream_truncated', errorCode: ERROR_CODES.providerError });
    expect(failed!.costUsd).toBeGreaterThan(0);
    expect(ok).toMatchObject({ status: 'ok', call: 2 });
  });

  it('reports an unknown model with a null cost, never zero, and warns the operator once', async () => {
    const provider = new ScriptedProvider('vllm', ['llama-3.1-8b'], [{}, {}]);
    const warnings: Array<{ model?: string; msg?: string }> = [];
    const logger = createLogger({ service: 'inference', level: 'warn', destination: { write: (line: string) => void warnings.push(JSON.parse(line)) } });
    const h = inferenceHarness({ providers: [provider], ...resilience, logger });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'unpriced', model: 'llama-3.1-8b' })));
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'unpriced-2', model: 'llama-3.1-8b' })));
    expect(h.usage('unpriced')[0]!.costUsd).toBeNull();
    expect(h.forwarded('unpriced')[0]!.completion!.usage.costUsd).toBeNull();
    expect(warnings).toEqual([expect.objectContaining({ model: 'llama-3.1-8b', msg: expect.stringContaining('model has no price') })]);
  });

  it('re-asks with the validation errors until the answer fits the schema', async () => {
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [{ content: '{"name": "Ada"}' }, { content: '{"name": "Ada", "email": "ada@example.com"}' }]);
    const h = inferenceHarness({ providers: [provider], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'reask', model: 'gpt-4o', responseFormat: contact })));
    expect(provider.requests).toHaveLength(2);
    expect(provider.requests[0]!.responseFormat).toEqual(contact);
    const second = provider.requests[1]!.messages;
    expect(second.at(-2)).toEqual({ role: 'assistant', content: '{"name": "Ada"}' });
    expect(second.at(-1)!.content).toContain("must have required property 'email'");
    expect(h.forwarded('reask')[0]!.completion!.parsed).toEqual({ name: 'Ada', email: 'ada@example.com' });
    expect(h.usage('reask')).toHaveLength(2);
  });

  it('fails with output_invalid after the bounded number of re-asks', async () => {
    const provider = new ScriptedProvider('openai', ['gpt-4o'], [{ content: 'not json at all' }]);
    const h = inferenceHarness({ providers: [provider], maxReasks: 2, ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'never-json', model: 'gpt-4o', responseFormat: contact })));
    expect(provider.requests).toHaveLength(3);
    const [response] = h.responses('never-json');
    expect(response).toMatchObject({ status: 'failed', error: { code: ERROR_CODES.outputInvalid } });
    expect(response!.error!.message).toContain('after 2 re-asks: the output is not valid JSON');
    expect(h.usage('never-json')).toHaveLength(3);
  });

  it('instructs a provider without a JSON Schema mode and strips its code fence', async () => {
    const provider = new ScriptedProvider('anthropic', ['claude-sonnet-4-5'], [{ content: '```json\n{"name":"Ada","email":"a@b.c"}\n```' }], 'instruct');
    const h = inferenceHarness({ providers: [provider], ...resilience });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'instruct', model: 'claude-sonnet-4-5', responseFormat: contact })));
    expect(provider.requests[0]!.responseFormat).toBeUndefined();
    expect(provider.requests[0]!.messages.some((m) => m.role === 'system' && m.content.includes('JSON Schema'))).toBe(true);
    expect(h.forwarded('instruct')[0]!.completion!.content).toBe('{"name":"Ada","email":"a@b.c"}');
  });

  it('sends heartbeats while a long call runs', async () => {
    let beats = 0;
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    const provider = new ScriptedProvider('sim', ['sim-1'], [async () => {
      await answered;
      return {};
    }]);
    const h = inferenceHarness({ providers: [provider], heartbeatMs: 10, ...resilience });
    const run = h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'long' })), {
      heartbeat: async () => {
        if (++beats === 3) release();
      },
    });
    await run;
    expect(beats).toBeGreaterThanOrEqual(3);
    expect(h.forwarded('long')).toHaveLength(1);
  });
});
