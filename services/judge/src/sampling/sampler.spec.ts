import { buildResponse, type LlmResponse, type PipelineState } from '#contracts';
import { sampleBucket, samplingDecision } from './sampler.js';

function state(options: { requestId: string; tenantId?: string; judge?: Record<string, unknown>; rollout?: { canary: boolean; promotedAt: string | null }; mode?: 'default' | 'always' | 'never' }): PipelineState {
  return {
    request: { requestId: options.requestId, tenantId: options.tenantId ?? 'acme', prompt: { name: 'support-answer' }, variables: {}, messages: [], options: { cache: 'default', judge: options.mode ?? 'default' }, metadata: {} },
    receivedAt: new Date().toISOString(),
    prompt: { name: 'support-answer', version: 2, label: 'production', contentHash: 'h', model: 'sim-1', params: {}, policies: { guardrail: {}, cache: {}, judge: options.judge ?? { sampleRate: 0.1 } }, ...(options.rollout ? { rollout: options.rollout } : {}) },
    rendered: { model: 'sim-1', messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: 'Where is my parcel?' }], temperature: 0, maxTokens: 64 },
    verdicts: [],
    completion: { content: 'It ships tomorrow.', model: 'sim-1', provider: 'simulator', finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 4, cachedTokens: 0, costUsd: 0, estimated: true }, ttftMs: 1, durationMs: 1 },
    timings: [],
  };
}

const response = (options: Parameters<typeof state>[0], now = new Date()): LlmResponse => buildResponse(state(options), now);

describe('judge sampling', () => {
  it('is deterministic per request id: the same id gets the same decision every time, in any order', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `req-${i}`);
    const first = ids.map((id) => samplingDecision(response({ requestId: id })));
    const again = [...ids].reverse().map((id) => samplingDecision(response({ requestId: id }))).reverse();
    expect(again).toEqual(first);
    expect(ids.map(sampleBucket)).toEqual(ids.map(sampleBucket));
  });

  it("converges to the prompt's rate, and to a tenant's own rate when the policy has one (stratified per tenant)", () => {
    const share = (tenantId: string) => {
      let judged = 0;
      for (let i = 0; i < 4_000; i++) if (samplingDecision(response({ requestId: `${tenantId}-${i}`, tenantId, judge: { sampleRate: 0.1, tenantRates: { small: 0.5 } } }))) judged++;
      return judged / 4_000;
    };
    expect(share('acme')).toBeCloseTo(0.1, 1);
    expect(share('small')).toBeCloseTo(0.5, 1);
  });

  it('always judges a canary candidate and a newly promoted version; never wins over both; only completed answers', () => {
    const now = new Date('2026-12-06T12:00:00Z');
    const unsampled = Array.from({ length: 50 }, (_, i) => `r-${i}`).find((id) => sampleBucket(id) >= 0.1)!;
    expect(samplingDecision(response({ requestId: unsampled }, now))).toBeNull();
    expect(samplingDecision(response({ requestId: unsampled, rollout: { canary: true, promotedAt: null } }, now))).toBe('canary');
    const promotedAt = new Date(now.getTime() - 10 * 60_000).toISOString();
    expect(samplingDecision(response({ requestId: unsampled, rollout: { canary: false, promotedAt } }, now))).toBe('promoted');
    // The window is the policy's: 5 minutes is over after 10.
    expect(samplingDecision(response({ requestId: unsampled, judge: { sampleRate: 0.1, alwaysAfterPromotionMinutes: 5 }, rollout: { canary: false, promotedAt } }, now))).toBeNull();
    expect(samplingDecision(response({ requestId: unsampled, judge: { sampleRate: 0.1, alwaysForCanary: false }, rollout: { canary: true, promotedAt: null } }, now))).toBeNull();
    expect(samplingDecision(response({ requestId: unsampled, mode: 'never', rollout: { canary: true, promotedAt: null } }, now))).toBeNull();
    expect(samplingDecision(response({ requestId: unsampled, mode: 'always' }, now))).toBe('always');
    expect(samplingDecision({ ...response({ requestId: unsampled, mode: 'always' }, now), status: 'blocked' })).toBeNull();
  });

  it('carries what the judge reads only when the response may be judged', () => {
    const judged = response({ requestId: 'x', judge: { sampleRate: 0.5, rubric: 'helpfulness-v1', samples: 3, aggregate: 'majority' } });
    expect(judged.judge).toMatchObject({ rubric: 'helpfulness-v1', input: 'Where is my parcel?', samples: 3, aggregate: 'majority' });
    expect(response({ requestId: 'x', judge: { sampleRate: 0 } }).judge.input).toBeUndefined();
    expect(response({ requestId: 'x', mode: 'never' }).judge.input).toBeUndefined();
  });
});
