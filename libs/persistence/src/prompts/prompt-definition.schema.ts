import { ChatRole, PromptRef, ResponseFormat } from '#contracts';
import { z } from 'zod';

/** One message of a prompt template; `content` may hold `{{variable}}` placeholders. */
export const TemplateMessage = z.object({ role: ChatRole, content: z.string().min(1).max(100_000) });
export type TemplateMessage = z.infer<typeof TemplateMessage>;

export const PromptTemplate = z.object({ messages: z.array(TemplateMessage).min(1).max(50) });
export type PromptTemplate = z.infer<typeof PromptTemplate>;

/** Model parameters; unknown keys pass through to the provider adapter. */
export const PromptParams = z.looseObject({
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().positive().max(200_000).default(256),
});
export type PromptParams = z.infer<typeof PromptParams>;

/** Guardrail rules are owned by the guardrail service; the registry only stores them. */
export const GuardrailPolicy = z.record(z.string(), z.unknown());
export type GuardrailPolicy = z.infer<typeof GuardrailPolicy>;

export const CachePolicy = z.looseObject({
  enabled: z.boolean().default(true),
  /** `semantic` also serves a verified similar question's answer; absent leaves the cache service default (CACHE_DEFAULT_MODE). */
  mode: z.enum(['exact', 'semantic']).optional(),
  ttlSeconds: z.number().int().positive().default(3600),
  /** Cosine similarity a semantic hit must reach; null leaves the cache service default. */
  threshold: z.number().min(0).max(1).nullable().default(null),
  /** `temperature > 0` answers are cached only when this is true. */
  cacheNonDeterministic: z.boolean().default(false),
});
export type CachePolicy = z.infer<typeof CachePolicy>;

/**
 * Which responses the judge scores and how (see docs/judge.md). Fields after `rubric` are optional
 * without defaults, so files that leave them out keep their content hash.
 */
export const JudgePolicy = z.looseObject({
  sampleRate: z.number().min(0).max(1).default(0.1),
  rubric: z.string().min(1).max(200).nullable().default(null),
  /** Stratified sampling: a tenant's own rate instead of `sampleRate` (each tenant is its own stratum). */
  tenantRates: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a tenant id'), z.number().min(0).max(1)).optional(),
  /** Judge every response of a canary candidate (default true). */
  alwaysForCanary: z.boolean().optional(),
  /** Judge every response for this long after the label moved to the version (default 60; 0 turns it off). */
  alwaysAfterPromotionMinutes: z.number().int().min(0).max(10_080).optional(),
  /** Self-consistency: ask the judge this many times per response (default 1). */
  samples: z.number().int().min(1).max(9).optional(),
  /** How the samples become one score: `median` per criterion (default) or `majority` (the most frequent score, ties to the lower). */
  aggregate: z.enum(['median', 'majority']).optional(),
});
export type JudgePolicy = z.infer<typeof JudgePolicy>;

export const PromptPolicySet = z.object({
  guardrail: GuardrailPolicy.default({}),
  cache: CachePolicy.default(() => CachePolicy.parse({})),
  judge: JudgePolicy.default(() => JudgePolicy.parse({})),
});
export type PromptPolicySet = z.infer<typeof PromptPolicySet>;

/**
 * A prompt as written in `prompts/*.yaml` and as published to the registry. Defaults are filled
 * in before hashing, so leaving a default out and spelling it out give the same version.
 *
 * @example PromptDefinition.parse({ name: 'support-answer', model: 'sim-1',
 *   template: { messages: [{ role: 'user', content: '{{question}}' }] } })
 */
export const PromptDefinition = z.object({
  name: PromptRef.shape.name,
  model: z.string().min(1).max(200),
  template: PromptTemplate,
  params: PromptParams.default(() => PromptParams.parse({})),
  responseFormat: ResponseFormat.nullable().default(null),
  policies: PromptPolicySet.default(() => PromptPolicySet.parse({})),
});
export type PromptDefinition = z.infer<typeof PromptDefinition>;
export type PromptDefinitionInput = z.input<typeof PromptDefinition>;
