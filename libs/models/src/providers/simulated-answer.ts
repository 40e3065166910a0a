import { createHash } from 'node:crypto';
import type { ChatMessage } from '#contracts';
import { sampleFromSchema } from './schema-sample.js';
import { estimateChatTokens } from './token-estimate.js';

export interface SimulatedQuestion {
  model: string;
  messages: readonly ChatMessage[];
  /** A JSON Schema the answer must conform to; `{}` for any JSON object. */
  schema?: Record<string, unknown>;
}

export interface SimulatedAnswer {
  content: string;
  /** The answer cut into the pieces a model would stream, one token each. */
  tokens: string[];
  inputTokens: number;
  /** The answer was cut at `maxTokens`. */
  truncated: boolean;
}

/**
 * The simulator's answer: the same question always gets the same answer, and a schema always gets a
 * conforming JSON value. The in-process `SimulatorProvider` and the HTTP simulator both answer from here.
 */
export function simulatedAnswer(question: SimulatedQuestion, maxTokens = Number.POSITIVE_INFINITY): SimulatedAnswer {
  const seed = createHash('sha256').update(JSON.stringify([question.model, question.messages])).digest('hex');
  const full = question.schema ? JSON.stringify(sampleFromSchema(question.schema, seed) ?? {}) : answerText(question, seed);
  const all = splitTokens(full);
  const tokens = all.slice(0, Math.max(1, maxTokens));
  return { content: tokens.join(''), tokens, inputTokens: estimateChatTokens(question.messages), truncated: tokens.length < all.length };
}

function answerText(question: SimulatedQuestion, seed: string): string {
  const asked = [...question.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const words = asked.split(/\s+/).filter(Boolean).length;
  return `Simulated answer ${seed.slice(0, 8)}: a ${words}-word question was asked of ${question.model}; this reply is deterministic for the same input.`;
}

/** Splits text into token-sized pieces (a word with its leading space, or up to four characters of JSON). */
export function splitTokens(text: string): string[] {
  const pieces = text.match(/\s*[\p{L}\p{N}]{1,6}|\s*[^\s\p{L}\p{N}]{1,4}|\s+/gu) ?? [];
  return pieces.length > 0 ? pieces : [text];
}
