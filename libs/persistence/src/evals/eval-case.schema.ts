import { z } from 'zod';
import { ChatMessage } from '#contracts';

/** One expectation on a case's answer; `evals/<prompt>/*.jsonl` lists them under `expect`. */
export const EvalAssertion = z.discriminatedUnion('type', [
  z.object({ type: z.literal('equals'), value: z.string(), trim: z.boolean().default(true) }),
  z.object({ type: z.literal('contains'), value: z.string().min(1), caseSensitive: z.boolean().default(false) }),
  z.object({ type: z.literal('not_contains'), value: z.string().min(1), caseSensitive: z.boolean().default(false) }),
  z.object({ type: z.literal('regex'), pattern: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).default('') }),
  /** The answer is JSON valid against `schema`, or against the prompt's responseFormat without one; `equals` checks fields. */
  z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()).optional(), equals: z.record(z.string(), z.unknown()).optional() }),
  /** The last number in the answer is within `tolerance` of `value`. */
  z.object({ type: z.literal('numeric'), value: z.number(), tolerance: z.number().nonnegative().default(0) }),
  /** Token-set similarity (0-1) to a reference answer. */
  z.object({ type: z.literal('similar'), reference: z.string().min(1), threshold: z.number().min(0).max(1).default(0.5) }),
  /** The pipeline blocked the request (a guardrail refused it), e.g. a prompt-injection case. */
  z.object({ type: z.literal('blocked') }),
  /** An LLM judge scores the answer with a rubric (`rubrics/<rubric>.yaml`); passes at `threshold` (1-5) or above. */
  z.object({ type: z.literal('judge'), rubric: z.string().min(1), threshold: z.number().min(1).max(5).default(4) }),
]);
export type EvalAssertion = z.infer<typeof EvalAssertion>;
export type EvalAssertionType = EvalAssertion['type'];

export const EvalCase = z
  .object({
    id: z.string().min(1).max(200).optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
    messages: z.array(ChatMessage).min(1).optional(),
    expect: z.array(EvalAssertion).min(1),
    description: z.string().optional(),
  })
  .strict()
  .refine((c) => c.variables !== undefined || c.messages !== undefined, { message: 'give variables (for the template), messages (appended after it), or both' });
export type EvalCase = z.infer<typeof EvalCase> & { id: string };
