import { z } from 'zod';

export const Span = z.object({
  entity: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type Span = z.infer<typeof Span>;

/** One detector's finding. Spans point into the checked text; the text itself is never copied here. */
export const Verdict = z.object({
  phase: z.enum(['input', 'output']),
  decision: z.enum(['pass', 'redact', 'block']),
  detector: z.string(),
  rule: z.string().optional(),
  score: z.number().optional(),
  spans: z.array(Span).default([]),
  reason: z.string().optional(),
});
export type Verdict = z.infer<typeof Verdict>;
