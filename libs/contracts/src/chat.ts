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
