import { ERROR_CODES, type ResponseFormat } from '#contracts';
import { jest } from '@jest/globals';
import { InstantClock, OpenAiCompatibleProvider, systemClock, type Clock } from '#models';
import { startSimulatorServer, type SimulatorServer } from '../src/simulator/simulator.server.js';
import type { InferenceDeps } from '../src/inference.tokens.js';
import { inferenceEnvelope, inferenceHarness, pipelineState } from './support/inference.harness.js';

jest.setTimeout(30_000);

// Each test talks to the HTTP simulator over real sockets; faults are asked for per provider with the
// x-ballast-sim-fault header, so one simulator can play a failing and a healthy provider at once.
describe('inference against a misbehaving provider (HTTP simulator)', () => {
  let sim: SimulatorServer;
  let run = 0;
  beforeAll(async () => {
    sim = await startSimulatorServer({ port: 0, ttft: '5', tokensPerSecond: '2000', seed: 7 });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    run++;
  });

  /** A provider on the simulator serving `model`, optionally with a fault header. */
  const provider = (name: string, model: string, fault?: string) =>
    new OpenAiCompatibleProvider({ name, baseUrl: `${sim.url}/v1`, apiKey: 'sk-sim', models: [model], ...(fault ? { headers: { 'x-ballast-sim-fault': `${fault};id=${name}-${run}` } } : {}) });
  const callsTo = (model: string, since: number) => sim.requests.filter((r) => r.model === model && r.at >= since);
  const harness = (providers: OpenAiCompatibleProvider[], over: Partial<InferenceDeps> & { clock?: Clock } = {}) =>
    inferenceHarness({ providers, retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 10_000 }, ...over });

  it('waits out a 429 with Retry-After: 2 before calling again (observed at the provider: ≥ 2 s apart)', async () => {
    const since = performance.timeOrigin + performance.now();
    const h = harness([provider('limited', 'sim-limited', '429;retry-after=2;times=1')], { clock: systemClock });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'ra', model: 'sim-limited' }), 20_000));
    const calls = callsTo('sim-limited', since);
    expect(calls.map((c) => c.fault)).toEqual(['429', null]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_000);
    expect(h.forwarded('ra')[0]!.completion!.content).toMatch(/Simulated answer/);
    expect(h.usage('ra').map((u) => u.errorType)).toEqual(['http_429', null]);
  });

  it("ends a call to a provider that never answers within the request's deadline", async () => {
    const h = harness([provider('hung', 'sim-hung', 'hang')], { clock: systemClock, idleTimeoutMs: 60_000 });
    const started = performance.now();
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'hang', model: 'sim-hung' }), 1_500));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1_500 + 1_000);
    expect(h.responses('hang')[0]).toMatchObject({ status: 'failed', error: { code: ERROR_CODES.deadlineExceeded } });
    expect(h.usage('hang')).toMatchObject([{ status: 'error', errorType: 'timeout', errorCode: ERROR_CODES.deadlineExceeded }]);
  });

  it('treats a stream silent for the idle timeout as stalled and moves to the fallback model in time', async () => {
    const h = harness([provider('slow', 'sim-slow', 'slow;tps=1'), provider('steady', 'sim-1')], { clock: new InstantClock(), idleTimeoutMs: 300 });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'stall', model: 'sim-slow', fallbackModels: ['sim-1'] }), 10_000));
    expect(h.forwarded('stall')[0]!.completion).toMatchObject({ provider: 'steady', model: 'sim-1' });
    expect(h.usage('stall').map((u) => u.errorType)).toEqual(['stream_stalled', 'stream_stalled', 'stream_stalled', null]);
  });

  it('falls back to the next model when a stream is cut mid-way, and accounts the cut calls as partial', async () => {
    const h = harness([provider('cutting', 'sim-cut', 'cut'), provider('steady', 'sim-1')], { clock: new InstantClock() });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'cut', model: 'sim-cut', fallbackModels: ['sim-1'] }), 10_000));
    const completion = h.forwarded('cut')[0]!.completion!;
    expect(completion).toMatchObject({ provider: 'steady', model: 'sim-1', finishReason: 'stop' });
    expect(completion.content).toMatch(/deterministic for the same input\.$/);
    const usage = h.usage('cut');
    expect(usage.slice(0, 3).every((u) => u.status === 'error' && u.errorType === 'stream_truncated' && u.partial === true && u.outputTokens > 0)).toBe(true);
    expect(usage[3]).toMatchObject({ status: 'ok', model: 'sim-1' });
  });

  it('fails explicitly, never with a truncated answer, when a cut stream has no fallback', async () => {
    const h = harness([provider('cutting', 'sim-cut', 'cut')], { clock: new InstantClock() });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'cut-alone', model: 'sim-cut' }), 10_000));
    expect(h.forwarded('cut-alone')).toHaveLength(0);
    expect(h.responses('cut-alone')[0]).toMatchObject({ status: 'failed', content: null, error: { code: ERROR_CODES.providerError } });
    expect(h.responses('cut-alone')[0]!.error!.message).toContain('cutting/sim-cut');
  });

  it('opens the circuit at the failure rate, skips the model while open, and half-opens after the cool-down', async () => {
    const clock = new InstantClock();
    const h = harness([provider('broken', 'sim-broken', '500;times=4'), provider('steady', 'sim-1')], {
      clock,
      retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxRetryAfterMs: 0 },
      circuit: { failureRateThreshold: 0.5, minimumCalls: 4, windowMs: 60_000, cooldownMs: 30_000, halfOpenProbes: 1 },
    });
    const since = performance.timeOrigin + performance.now();
    const ask = (id: string) => h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: id, model: 'sim-broken', fallbackModels: ['sim-1'] }), 20_000));
    for (let i = 0; i < 4; i++) await ask(`cb-${i}`);
    expect(callsTo('sim-broken', since)).toHaveLength(4);

    await ask('cb-open');
    expect(callsTo('sim-broken', since)).toHaveLength(4); // open: not called at all
    expect(h.forwarded('cb-open')[0]!.completion!.provider).toBe('steady');

    clock.advance(30_000);
    await ask('cb-probe');
    expect(callsTo('sim-broken', since)).toHaveLength(5); // half-open: one probe, which now succeeds
    expect(h.forwarded('cb-probe')[0]!.completion!.provider).toBe('broken');
    await ask('cb-closed');
    expect(h.forwarded('cb-closed')[0]!.completion!.provider).toBe('broken');
  });

  it('absorbs a burst of 5xx with retries and fallback: 200 concurrent requests, none lost', async () => {
    const h = harness([provider('bursty', 'sim-bursty', '503;times=150;retry-after=0'), provider('steady', 'sim-1')], {
      clock: new InstantClock(),
      circuit: { failureRateThreshold: 0.5, minimumCalls: 20, windowMs: 10_000, cooldownMs: 5_000, halfOpenProbes: 1 },
    });
    const ids = Array.from({ length: 200 }, (_, i) => `burst-${i}`);
    await Promise.all(ids.map((id) => h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: id, model: 'sim-bursty', fallbackModels: ['sim-1'] }), 20_000))));
    const completed = h.forwarded().map((s) => s.request.requestId);
    expect(new Set(completed)).toEqual(new Set(ids));
    expect(h.responses()).toHaveLength(0);
    const usage = h.usage();
    expect(usage.filter((u) => u.status === 'ok')).toHaveLength(200);
    expect(usage.filter((u) => u.errorType === 'http_503').length).toBeGreaterThan(0);
  });

  it('re-asks when the provider returns invalid JSON for a schema, over the wire', async () => {
    const schema: ResponseFormat = { type: 'json_schema', name: 'contact', strict: true, schema: { type: 'object', required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' } } } };
    const h = harness([provider('sloppy', 'sim-sloppy', 'invalid-json;times=1')], { clock: new InstantClock() });
    await h.useCase.execute(inferenceEnvelope(pipelineState({ requestId: 'json', model: 'sim-sloppy', responseFormat: schema }), 10_000));
    const completion = h.forwarded('json')[0]!.completion!;
    expect(completion.parsed).toEqual({ name: expect.any(String), email: expect.stringMatching(/@example\.com$/) });
    expect(h.usage('json').map((u) => u.status)).toEqual(['ok', 'ok']);
  });
});
