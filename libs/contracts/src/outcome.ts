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

function judgePolicy(state: PipelineState): { mode: LlmResponse['judge']['mode']; sampleRate: number } {
  const rate = state.prompt?.policies.judge['sampleRate'];
  return { mode: state.request.options.judge, sampleRate: typeof rate === 'number' && rate >= 0 && rate <= 1 ? rate : 0 };
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
    judge: judgePolicy(state),
    ...(state.request.replyTo ? { replyTo: state.request.replyTo } : {}),
    metadata: state.request.metadata,
    completedAt: now.toISOString(),
  };
}
