import { describeHttpError, errorBody } from '../http/api-error.filter.js';
import { sse, usageOf, type StreamEnd, type StreamSink } from './stream.sink.js';

export interface ChatStreamMeta {
  id: string;
  /** The model the client named (a prompt is `prompt:<name>`); the answering model replaces it once known. */
  model: string;
  includeUsage: boolean;
  fingerprint: string | null;
}

const OPENAI_FINISH = new Set(['stop', 'length', 'content_filter', 'tool_calls']);

/**
 * `chat.completion.chunk` events as OpenAI sends them: the role first, then content deltas, then a
 * chunk with `finish_reason`, with `stream_options.include_usage` a usage chunk with no choices,
 * and `data: [DONE]`. A stream the output guardrail cut ends with `content_filter`, and the chunk
 * says why in `ballast.cut` (detector, rule, reason). A failure after the stream began is an
 * `error` event, as OpenAI sends one, which the SDKs raise.
 */
export class OpenAiChunkSink implements StreamSink {
  private readonly created = Math.floor(Date.now() / 1000);
  private model: string;

  constructor(
    private readonly write: (text: string) => void,
    private readonly meta: ChatStreamMeta,
  ) {
    this.model = meta.model;
  }

  open(model: string): void {
    this.model = model || this.meta.model;
    this.chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
  }

  text(delta: string): void {
    if (delta !== '') this.chunk([{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }]);
  }

  end(end: StreamEnd): void {
    if (end.finish === 'error' || end.finish === 'cancelled') {
      const { status, code, message } = describeHttpError(end.error ?? { statusCode: 500 });
      this.write(sse(JSON.stringify(errorBody(status >= 500 ? status : 502, end.error?.code ?? code, end.error?.message ?? message))));
      return;
    }
    const reason = end.finish === 'content_filter' ? 'content_filter' : OPENAI_FINISH.has(end.finishReason) ? end.finishReason : end.finish;
    this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: reason }], end.cut ? { ballast: { cut: end.cut } } : {});
    if (this.meta.includeUsage && end.usage) this.chunk([], { usage: usageOf(end.usage) });
    this.write(sse('[DONE]'));
  }

  private chunk(choices: unknown[], extra: Record<string, unknown> = {}): void {
    this.write(
      sse(
        JSON.stringify({
          id: this.meta.id,
          object: 'chat.completion.chunk',
          created: this.created,
          model: this.model,
          system_fingerprint: this.meta.fingerprint,
          choices,
          ...(this.meta.includeUsage ? { usage: null } : {}),
          ...extra,
        }),
      ),
    );
  }
}
