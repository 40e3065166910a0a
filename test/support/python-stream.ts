// What test/python/openai_stream_check.py prints, and what every run of it must have seen
// (embedded: test/python-openai-stream.spec.ts; distributed: test/streaming.infra-spec.ts).
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { LlmResponse } from '#contracts';
import { ROOT } from './distributed-stack.js';

export const PYTHON_STREAM_SCRIPT = join(ROOT, 'test', 'python', 'openai_stream_check.py');

export interface PythonStreamObservations {
  sdk_version: string;
  stream: { objects: string[]; ids: string[]; first_role: string | null; content_chunks: number; text: string; finish_reasons: string[]; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null; last_choices: number };
  without_usage: { usage_chunks: number; finish: string };
  blocked: { class: string; status: number; code: string } | null;
}

/** What the Python script must have seen, embedded or distributed; `outcome` is the request's outcome read back. */
export function expectPythonStream(seen: PythonStreamObservations, prefix: string, outcome: LlmResponse): void {
  expect(seen.stream.objects).toEqual(['chat.completion.chunk']);
  expect(seen.stream.ids).toEqual([`${prefix}-stream`]);
  expect(seen.stream.first_role).toBe('assistant');
  expect(seen.stream.content_chunks).toBeGreaterThan(1);
  expect(seen.stream.finish_reasons).toEqual(['stop']);
  expect(seen.stream.last_choices).toBe(0);
  expect(seen.stream.text).toBe(outcome.content);
  expect(seen.stream.usage?.completion_tokens).toBe(outcome.usage?.outputTokens);
  expect(seen.without_usage).toEqual({ usage_chunks: 0, finish: 'stop' });
  expect(seen.blocked).toEqual({ class: 'BadRequestError', status: 400, code: 'ballast.guardrail.blocked' });
}

