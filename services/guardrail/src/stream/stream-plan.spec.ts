import type { PipelineState } from '#contracts';
import { DEFAULT_POLICY, GuardrailPolicy, parsePolicy } from '../policy/guardrail-policy.js';
import { withStreamPlan } from './stream-plan.js';

function state(stream: boolean, structured = false): PipelineState {
  return {
    request: { requestId: 'r', tenantId: 't', variables: {}, messages: [], options: { cache: 'default', judge: 'default', stream }, metadata: {} },
    receivedAt: new Date().toISOString(),
    prompt: null,
    rendered: { model: 'sim-1', messages: [{ role: 'user', content: 'hi' }], temperature: 0, maxTokens: 10, ...(structured ? { responseFormat: { type: 'json_schema', name: 'x', schema: {}, strict: true } } : {}) },
    verdicts: [],
    timings: [],
  } as PipelineState;
}

describe('the stream plan (output.stream)', () => {
  it('defaults to windowed with 16 words, and refuses an unknown mode with the field named', () => {
    expect(DEFAULT_POLICY.output.stream).toEqual({ mode: 'windowed', windowTokens: 16 });
    const bad = parsePolicy({ output: { stream: { mode: 'trickle' } } });
    expect(!bad.ok && bad.errors.join()).toContain('output.stream.mode');
  });

  it('asks inference for model chunks only for a streamed, free-text request under a windowed policy', () => {
    expect(withStreamPlan(state(true), DEFAULT_POLICY).guard?.stream).toEqual({ windowTokens: 16 });
    expect(withStreamPlan(state(false), DEFAULT_POLICY).guard?.stream).toBeUndefined();
    expect(withStreamPlan(state(true, true), DEFAULT_POLICY).guard?.stream).toBeUndefined();
    expect(withStreamPlan(state(true), GuardrailPolicy.parse({ output: { stream: { mode: 'buffered' } } })).guard?.stream).toBeUndefined();
  });

  it('never holds back fewer words than a system-prompt leak needs to be seen', () => {
    const narrow = GuardrailPolicy.parse({ output: { stream: { windowTokens: 4 }, leakMinWords: 12 } });
    expect(withStreamPlan(state(true), narrow).guard?.stream).toEqual({ windowTokens: 12 });
  });
});
