import type { StreamChunk, TokenUsage } from '#contracts';

export type StreamEnd = Pick<NonNullable<StreamChunk['end']>, 'finish' | 'finishReason' | 'usage' | 'cut' | 'error'>;

/** Where an open stream's events go: an SSE format (OpenAI or native) over the HTTP response. */
export interface StreamSink {
  open(model: string, source: 'inference' | 'cache' | 'fallback'): void;
  text(delta: string): void;
  end(end: StreamEnd): void;
}

/** One server-sent event; `data` is JSON or `[DONE]`. */
export function sse(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}

export function usageOf(usage: TokenUsage | null | undefined) {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output, prompt_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0 } };
}
