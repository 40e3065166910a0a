import { ERROR_CODES } from '#contracts';
import { Bulkheads, CircuitBreakers } from '../resilience/resilience.registry.js';
import { DEFAULT_CIRCUIT } from '../resilience/circuit-breaker.js';
import { systemClock } from '../resilience/clock.js';
import { ModelCaller, type CallRecord } from '../resilience/model-caller.js';
import { DEFAULT_PROVIDER_RETRY } from '../resilience/retry.policy.js';
import { ModelRouter } from '../routing/model.router.js';
import { ProviderCallError } from './provider-call.error.js';
import { SimulatorProvider } from './simulator.provider.js';

const messages = [{ role: 'user' as const, content: 'Tell me about the parcel that left the depot on Monday morning, please.' }];

describe('SimulatorProvider streaming', () => {
  it('hands the answer to onDelta token by token, and the pieces make the whole answer', async () => {
    const pieces: string[] = [];
    const result = await new SimulatorProvider({ ttftMs: 0, tokensPerSecond: 0 }).complete({
      model: 'sim-small', messages, temperature: 0, maxTokens: 500, signal: new AbortController().signal, onDelta: (t) => pieces.push(t),
    });
    expect(pieces.length).toBe(result.outputTokens);
    expect(pieces.join('')).toBe(result.content);
  });

  it('stops producing when its signal fires, tells the observer how far it got, and reports the partial output', async () => {
    const aborted: Array<{ model: string; outputTokens: number }> = [];
    const sim = new SimulatorProvider({ ttftMs: 0, tokensPerSecond: 200, observer: { aborted: (c) => aborted.push(c) } });
    const controller = new AbortController();
    const pieces: string[] = [];
    const call = sim.complete({
      model: 'sim-small', messages, temperature: 0, maxTokens: 500, signal: controller.signal,
      onDelta: (t) => {
        pieces.push(t);
        if (pieces.length === 3) controller.abort();
      },
    });
    const error = await call.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCallError);
    expect((error as ProviderCallError).partial).toMatchObject({ outputTokens: 3, content: pieces.join('') });
    expect(aborted).toEqual([{ model: 'sim-small', outputTokens: 3 }]);
  });
});

describe('ModelCaller with a cancel signal', () => {
  it('ends the call as cancelled at once: no retry, no fallback, and the partial output is on the call record', async () => {
    const sim = new SimulatorProvider({ ttftMs: 0, tokensPerSecond: 200 });
    const caller = new ModelCaller({
      router: new ModelRouter([sim], { fallbacks: { 'sim-small': ['sim-large'] } }),
      breakers: new CircuitBreakers(DEFAULT_CIRCUIT, systemClock),
      bulkheads: new Bulkheads({ maxConcurrent: 4, maxQueued: 4 }),
      retry: DEFAULT_PROVIDER_RETRY,
      clock: systemClock,
    });
    const cancel = new AbortController();
    const records: CallRecord[] = [];
    let seen = 0;
    const outcome = await caller.call({
      chain: ['sim-small', 'sim-large'],
      deadline: systemClock.now() + 10_000,
      meta: { requestId: 'r-1', tenantId: 't' },
      signal: cancel.signal,
      build: () => ({ messages, temperature: 0, maxTokens: 500, onDelta: () => (++seen === 2 ? cancel.abort() : undefined) }),
      onCall: (r) => records.push(r),
    });
    expect(outcome).toMatchObject({ ok: false, code: ERROR_CODES.cancelled });
    expect(records).toHaveLength(1);
    expect(records[0]!.error?.kind).toBe('cancelled');
    expect(records[0]!.error?.retryable).toBe(false);
    expect(records[0]!.error?.partial?.outputTokens).toBe(2);
  });
});
