import { z } from 'zod';

export const ChatRole = z.enum(['system', 'user', 'assistant', 'tool']);
export type ChatRole = z.infer<typeof ChatRole>;

export const ChatMessage = z.object({
  role: ChatRole,
  content: z.string().max(1_000_000),
  name: z.string().max(64).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A structured-output contract: the answer must be JSON that validates against `schema`. */
export const ResponseFormat = z.object({
  type: z.literal('json_schema'),
  name: z.string().min(1).max(64).default('response'),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().default(true),
});
export type ResponseFormat = z.infer<typeof ResponseFormat>;

/** The finish reasons of the OpenAI wire format: why the model stopped writing. */
export const FinishReason = z.enum(['stop', 'length', 'content_filter', 'tool_calls']);
export type FinishReason = z.infer<typeof FinishReason>;

const PROVIDER_FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  // Anthropic's stop reasons, and the refusal the OpenAI-compatible provider reports.
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/**
 * A provider's finish reason (`end_turn`, `max_tokens`, `length`, ...) in the OpenAI vocabulary
 * every Ballast client reads; a reason no provider documents counts as `stop`.
 *
 * @example toFinishReason('max_tokens') // 'length'
 */
export function toFinishReason(providerReason: string): FinishReason {
  return PROVIDER_FINISH_REASONS[providerReason] ?? 'stop';
}
