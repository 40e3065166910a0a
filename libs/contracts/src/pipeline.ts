import { z } from 'zod';
import { ChatMessage, ResponseFormat } from './chat.js';
import { AcceptedLlmRequest } from './llm-request.js';
import { Verdict } from './verdict.js';

export const STAGES = ['ingress', 'guardrail', 'cache', 'inference', 'judge', 'metrics'] as const;
export type Stage = (typeof STAGES)[number];

export const CacheOutcome = z.enum(['hit-exact', 'hit-semantic', 'miss', 'bypass']);
export type CacheOutcome = z.infer<typeof CacheOutcome>;

/** What the semantic cache embeds and how it scopes it, carried from a miss to the store of its answer. */
export const SemanticCacheRef = z.object({
  /** The varying part of the request (the user's turn or the free-text variable), never the system prompt. */
  text: z.string(),
  /** Hash of everything else that changes the answer: the other messages or variables and the parameters. */
  paramsHash: z.string(),
  /** The model the request asked for (scope of the look-up). */
  model: z.string(),
});
export type SemanticCacheRef = z.infer<typeof SemanticCacheRef>;

export const PromptPolicies = z.object({
  guardrail: z.record(z.string(), z.unknown()).default({}),
  cache: z.record(z.string(), z.unknown()).default({}),
  judge: z.record(z.string(), z.unknown()).default({}),
});

/** The immutable prompt version a request was resolved to. */
export const ResolvedPrompt = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  label: z.string().nullable(),
  contentHash: z.string(),
  model: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  policies: PromptPolicies,
  /** Where the version stands in its rollout: the canary side of a split, and when the label last moved to it. */
  rollout: z.object({ canary: z.boolean(), promotedAt: z.iso.datetime({ offset: true }).nullable() }).optional(),
});
export type ResolvedPrompt = z.infer<typeof ResolvedPrompt>;

export const RenderedRequest = z.object({
  model: z.string(),
  messages: z.array(ChatMessage),
  temperature: z.number().min(0).max(2),
  maxTokens: z.number().int().positive(),
  responseFormat: ResponseFormat.optional(),
});
export type RenderedRequest = z.infer<typeof RenderedRequest>;

export const TokenUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative().default(0),
  costUsd: z.number().nonnegative().nullable(),
  estimated: z.boolean().default(false),
  /** The price table version `costUsd` comes from. */
  priceTableVersion: z.string().optional(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const Completion = z.object({
  content: z.string(),
  parsed: z.unknown().optional(),
  model: z.string(),
  provider: z.string(),
  finishReason: z.string(),
  usage: TokenUsage,
  ttftMs: z.number().nonnegative().nullable(),
  durationMs: z.number().nonnegative(),
});
export type Completion = z.infer<typeof Completion>;

export const StageTiming = z.object({
  stage: z.string(),
  queueMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type StageTiming = z.infer<typeof StageTiming>;

export const ErrorInfo = z.object({ code: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

/**
 * What the guardrail keeps on a request between its input and output phases.
 * `attempt` counts the times the output guardrail sent the request back to inference (a re-ask
 * with validation errors, or the prompt's fallback model): inference keys its once-per-request
 * completion ledger on it, so a re-ask gets a new completion instead of the stored one.
 */
export const GuardState = z.object({
  /** The canary token hidden in the rendered system prompt; its appearance in an answer is a leak. */
  canary: z.string().max(200).optional(),
  /** 0 (or absent) for the first completion; +1 each time the guardrail asks inference again. */
  attempt: z.number().int().nonnegative().optional(),
  /** Re-asks sent for invalid structured output. */
  reasks: z.number().int().nonnegative().optional(),
  /** The fallback model the request was re-routed to after a blocked answer. */
  fallbackModel: z.string().optional(),
  /** Set by the input phase on a streamed request the policy checks in windows: inference publishes model chunks. */
  stream: z.object({ windowTokens: z.number().int().positive() }).optional(),
});
export type GuardState = z.infer<typeof GuardState>;

/**
 * The state that travels between stages. Each stage adds its part and forwards it, so nothing has
 * to be looked up again downstream.
 */
export const PipelineState = z.object({
  request: AcceptedLlmRequest,
  receivedAt: z.iso.datetime({ offset: true }),
  prompt: ResolvedPrompt.nullable(),
  rendered: RenderedRequest,
  verdicts: z.array(Verdict).default([]),
  cache: z
    .object({
      outcome: CacheOutcome,
      key: z.string().optional(),
      /** On a semantic hit: the neighbour's cosine similarity, and the threshold it had to reach. */
      similarity: z.number().optional(),
      threshold: z.number().optional(),
      /** On a miss the semantic cache may store: what to embed and its scope. */
      semantic: SemanticCacheRef.optional(),
      /** Set on a miss that may be stored once the answer passes the output guardrail. */
      storeTtlSeconds: z.number().int().positive().optional(),
    })
    .optional(),
  completion: Completion.optional(),
  /** Set by a stage that ends the request early (blocked, failed) so the rest only forwards it. */
  outcome: z
    .object({ status: z.enum(['blocked', 'failed']), error: ErrorInfo, fallbackContent: z.string().optional() })
    .optional(),
  timings: z.array(StageTiming).default([]),
  /** Guardrail bookkeeping that travels with the request. */
  guard: GuardState.optional(),
});
export type PipelineState = z.infer<typeof PipelineState>;
