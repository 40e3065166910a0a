import type { PipelineState } from '#contracts';
import type { GuardrailPolicy } from '../policy/guardrail-policy.js';

/**
 * Marks a streamed request that the output guardrail checks in windows, so inference publishes its
 * model chunks: the client asked for a stream, the policy is `windowed`, and the answer is free text
 * (structured output must be whole to validate, so it streams buffered). The window is at least
 * `leakMinWords`, so a verbatim run of the system prompt is caught before its first word is released.
 */
export function withStreamPlan(state: PipelineState, policy: GuardrailPolicy): PipelineState {
  const stream = policy.output.stream;
  if (!state.request.options.stream || stream.mode !== 'windowed' || state.rendered.responseFormat) return state;
  const windowTokens = Math.max(stream.windowTokens, policy.output.systemPromptLeak === 'off' ? 1 : policy.output.leakMinWords);
  return { ...state, guard: { ...state.guard, stream: { windowTokens } } };
}
