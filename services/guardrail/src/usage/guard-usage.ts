import type { PipelineState, UsageEvent } from '#contracts';
import type { GuardStep } from '../guardrail.engine.js';

/**
 * One `guardrail` usage event per phase: the verdicts with their spans (offsets only, never the
 * text), the decision and the time the checks took.
 */
export function guardUsage(state: PipelineState, step: GuardStep, latencyMs: number): UsageEvent {
  return {
    kind: 'guardrail',
    requestId: state.request.requestId,
    tenantId: state.request.tenantId,
    promptName: state.prompt?.name ?? null,
    promptVersion: state.prompt?.version ?? null,
    model: step.state.rendered.model,
    provider: null,
    status: step.status === 'blocked' ? 'blocked' : step.status === 'failed' ? 'error' : 'ok',
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    costUsd: null,
    estimated: false,
    latencyMs,
    ttftMs: null,
    cache: state.cache?.outcome ?? null,
    verdicts: step.verdicts,
    errorCode: step.errorCode,
  };
}
