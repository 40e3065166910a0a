import { z } from 'zod';
import { ErrorInfo, PipelineState, TokenUsage } from './pipeline.js';

/** How a streamed answer ended, as the OpenAI wire format names it (`content_filter`: the output guardrail cut it). */
export const StreamFinish = z.enum(['stop', 'length', 'content_filter', 'error', 'cancelled']);
export type StreamFinish = z.infer<typeof StreamFinish>;

/** Why the output guardrail cut a stream: which detector and rule, never the text. */
export const StreamCut = z.object({ detector: z.string(), rule: z.string().nullable(), reason: z.string() });
export type StreamCut = z.infer<typeof StreamCut>;

/**
 * The model's raw output as inference receives it (`ballast.model-chunks.v1`, key = request id),
 * for the guardrail's windowed check only: no client ever reads this topic. `seq` counts from 0;
 * chunk 0 carries the request's pipeline state (policy, canary, system prompt) and no text.
 */
export const ModelChunk = z.object({
  seq: z.number().int().nonnegative(),
  delta: z.string().default(''),
  start: z.object({ state: PipelineState }).optional(),
  end: z
    .object({
      finish: StreamFinish,
      /** The provider's own finish reason (`stop`, `length`, `tool_calls`, ...). */
      finishReason: z.string(),
      model: z.string().nullable(),
      usage: TokenUsage.nullable(),
      error: ErrorInfo.optional(),
    })
    .optional(),
});
export type ModelChunk = z.infer<typeof ModelChunk>;

/**
 * Text the output guardrail has released for a client (`ballast.chunks.v1`, key = request id).
 * Every ingress replica reads the topic in its own consumer group and keeps the chunks of the
 * streams it holds. Chunk 0 opens the stream (no text); the chunk with `end` closes it.
 */
export const StreamChunk = z.object({
  seq: z.number().int().nonnegative(),
  delta: z.string().default(''),
  model: z.string().nullable().default(null),
  end: z
    .object({
      finish: StreamFinish,
      finishReason: z.string(),
      usage: TokenUsage.nullable(),
      /** Set when `finish` is `content_filter`. */
      cut: StreamCut.optional(),
      error: ErrorInfo.optional(),
    })
    .optional(),
});
export type StreamChunk = z.infer<typeof StreamChunk>;

/** A client stopped listening (`ballast.stream-cancels.v1`): the inference replica running its model call aborts it. */
export const StreamCancel = z.object({ reason: z.enum(['client_disconnected']) });
export type StreamCancel = z.infer<typeof StreamCancel>;
