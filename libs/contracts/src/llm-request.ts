import { z } from 'zod';
import { ChatMessage, ResponseFormat } from './chat.js';
import { MAX_JSON_DEPTH, depthOf } from './json-depth.js';

const Identifier = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:@/-]+$/, 'letters, digits and . _ : @ / - only');

export const PromptRef = z
  .object({
    name: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits and . _ -'),
    label: z.string().min(1).max(50).optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((p) => !(p.label && p.version), { message: 'give a label or a version, not both' });
export type PromptRef = z.infer<typeof PromptRef>;

export const CacheMode = z.enum(['default', 'bypass', 'refresh']);
export type CacheMode = z.infer<typeof CacheMode>;

export const RequestOptions = z.object({
  cache: CacheMode.default('default'),
  judge: z.enum(['default', 'always', 'never']).default('default'),
  maxTokens: z.number().int().positive().max(200_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** The client reads the answer as a stream (`stream: true`, `?stream=true`); see docs/streaming.md. */
  stream: z.boolean().optional(),
});
export type RequestOptions = z.infer<typeof RequestOptions>;

/**
 * What a backend asks for. Either a registered prompt (`prompt`) rendered with `variables`, or an
 * ad-hoc chat (`model` + `messages`) as the OpenAI-compatible endpoint sends it.
 *
 * @example { requestId: 'order-42', tenantId: 'demo', prompt: { name: 'support-answer' },
 *            variables: { question: 'Where is my parcel?' } }
 */
const LlmRequestShape = z
  .object({
    requestId: Identifier,
    tenantId: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -'),
    prompt: PromptRef.optional(),
    model: z.string().min(1).max(200).optional(),
    variables: z.record(z.string(), z.unknown()).default({}),
    messages: z.array(ChatMessage).max(500).default([]),
    responseFormat: ResponseFormat.optional(),
    options: RequestOptions.default({ cache: 'default', judge: 'default' }),
    replyTo: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name').optional(),
    timeoutMs: z.number().int().positive().max(600_000).optional(),
    /** The expected answer, when the caller knows it: the judge grades against it (reference-guided). Never sent to the model. */
    reference: z.string().min(1).max(20_000).optional(),
    metadata: z.record(z.string(), z.string().max(1000)).default({}),
  })
  .refine((r) => r.prompt !== undefined || (r.model !== undefined && r.messages.length > 0), {
    message: 'name a prompt, or a model with messages',
  });

/**
 * A request as the pipeline carries it between stages: the same fields and rules, without the
 * nesting walk, which the edge (`LlmRequest`) already did before the request entered the pipeline.
 */
export const AcceptedLlmRequest = LlmRequestShape;

export const LlmRequest = LlmRequestShape
  .refine((r) => depthOf(r) <= MAX_JSON_DEPTH, {
    message: `the request nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep (variables, responseFormat.schema); flatten it`,
  });
export type LlmRequest = z.infer<typeof LlmRequest>;
export type LlmRequestInput = z.input<typeof LlmRequest>;
