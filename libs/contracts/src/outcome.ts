import { toFinishReason } from './chat.js';
import type { LlmResponse } from './llm-response.js';
import type { ErrorInfo, PipelineState, StageTiming } from './pipeline.js';

/** Adds one stage's timing: time queued since the message was created, and time spent handling it. */
export function withTiming(state: PipelineState, timing: StageTiming): PipelineState {
  return { ...state, timings: [...state.timings, timing] };
}

/** Ends a request early: the next stages only forward it to `responses`. */
export function endWith(state: PipelineState, status: 'blocked' | 'failed', error: ErrorInfo, fallbackContent?: string): PipelineState {
  return { ...state, outcome: { status, error, ...(fallbackContent === undefined ? {} : { fallbackContent }) } };
}

/** A newly promoted version is always judged for this long unless the policy sets `alwaysAfterPromotionMinutes`. */
export const DEFAULT_PROMOTION_WINDOW_MINUTES = 60;

const rate = (v: unknown): number | undefined => (typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined);

/**
 * The prompt's judge policy (`policies.judge` of the prompt file, validated when it was published)
 * as it applies to this response: the tenant's own rate when the policy has one (each tenant is its
 * own stratum), the version's place in its rollout, and what the judge needs to read when it may judge.
 */
function judgeRequest(state: PipelineState, now: Date): LlmResponse['judge'] {
  const policy = state.prompt?.policies.judge ?? {};
  const tenantRates = policy['tenantRates'] as Record<string, unknown> | undefined;
  const sampleRate = rate(tenantRates?.[state.request.tenantId]) ?? rate(policy['sampleRate']) ?? 0;
  const mode = state.request.options.judge;
  const rollout = rolloutOf(state, policy, now);
  const out: LlmResponse['judge'] = { mode, sampleRate };
  if (typeof policy['rubric'] === 'string') out.rubric = policy['rubric'];
  if (rollout !== 'stable') out.rollout = rollout;
  if (mode === 'never' || (sampleRate === 0 && rollout === 'stable' && mode !== 'always')) return out;
  const asked = lastUserTurn(state);
  if (asked !== undefined) out.input = asked;
  if (state.request.reference !== undefined) out.reference = state.request.reference;
  if (typeof policy['samples'] === 'number' && policy['samples'] > 1) out.samples = policy['samples'];
  if (policy['aggregate'] === 'median' || policy['aggregate'] === 'majority') out.aggregate = policy['aggregate'];
  return out;
}

function rolloutOf(state: PipelineState, policy: Record<string, unknown>, now: Date): 'stable' | 'canary' | 'promoted' {
  const rollout = state.prompt?.rollout;
  if (!rollout) return 'stable';
  if (rollout.canary) return policy['alwaysForCanary'] === false ? 'stable' : 'canary';
  const minutes = typeof policy['alwaysAfterPromotionMinutes'] === 'number' ? policy['alwaysAfterPromotionMinutes'] : DEFAULT_PROMOTION_WINDOW_MINUTES;
  if (rollout.promotedAt === null || minutes <= 0) return 'stable';
  return now.getTime() - Date.parse(rollout.promotedAt) < minutes * 60_000 ? 'promoted' : 'stable';
}

function lastUserTurn(state: PipelineState): string | undefined {
  const messages = state.rendered.messages;
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return undefined;
}

/** The one place a pipeline state becomes the outcome a client reads. */
export function buildResponse(state: PipelineState, now: Date = new Date()): LlmResponse {
  const completion = state.completion;
  const ended = state.outcome;
  const status: LlmResponse['status'] = ended ? ended.status : completion ? 'completed' : 'failed';
  const fallback = ended?.fallbackContent;
  const content = ended ? (fallback ?? null) : (completion?.content ?? null);
  const source: LlmResponse['source'] =
    fallback !== undefined ? 'fallback' : status !== 'completed' ? null : state.cache?.outcome.startsWith('hit') ? 'cache' : 'inference';
  const cacheable = status === 'completed' && source === 'inference' && state.cache?.key && state.cache.storeTtlSeconds;
  return {
    requestId: state.request.requestId,
    tenantId: state.request.tenantId,
    status,
    content,
    ...(status === 'completed' && completion?.parsed !== undefined ? { parsed: completion.parsed } : {}),
    ...(status === 'completed' && completion ? { finishReason: toFinishReason(completion.finishReason) } : {}),
    source,
    cache: state.cache?.outcome ?? null,
    ...(state.cache?.outcome === 'hit-semantic' && state.cache.similarity !== undefined ? { cacheSimilarity: state.cache.similarity } : {}),
    verdicts: state.verdicts,
    usage: completion?.usage ?? null,
    timings: {
      stages: state.timings,
      queueMs: state.timings.reduce((sum, t) => sum + t.queueMs, 0),
      ttftMs: source === 'inference' ? (completion?.ttftMs ?? null) : null,
      totalMs: Math.max(0, now.getTime() - Date.parse(state.receivedAt)),
    },
    prompt: state.prompt ? { name: state.prompt.name, version: state.prompt.version } : null,
    model: completion?.model ?? state.rendered.model,
    error: ended?.error ?? (completion ? null : { code: 'ballast.internal', message: 'the request ended without a completion' }),
    cacheStore: cacheable
      ? { key: state.cache!.key!, ttlSeconds: state.cache!.storeTtlSeconds!, ...(state.cache!.semantic ? { semantic: state.cache!.semantic } : {}) }
      : null,
    judge: judgeRequest(state, now),
    ...(state.request.replyTo ? { replyTo: state.request.replyTo } : {}),
    metadata: state.request.metadata,
    completedAt: now.toISOString(),
  };
}
