import { sse, type StreamEnd, type StreamSink } from './stream.sink.js';

/**
 * The native stream (`POST /v1/requests?stream=true`, docs/streaming.md): `start` with the request
 * id, model and source; `delta` events with text; one `end` with the status, finish reason, usage
 * and, for a cut or failed stream, why.
 */
export class NativeEventSink implements StreamSink {
  constructor(
    private readonly write: (text: string) => void,
    private readonly requestId: string,
  ) {}

  open(model: string, source: 'inference' | 'cache' | 'fallback'): void {
    this.write(sse(JSON.stringify({ requestId: this.requestId, model, source }), 'start'));
  }

  text(delta: string): void {
    if (delta !== '') this.write(sse(JSON.stringify({ text: delta }), 'delta'));
  }

  end(end: StreamEnd): void {
    const status = end.finish === 'content_filter' ? 'blocked' : end.finish === 'error' ? 'failed' : end.finish === 'cancelled' ? 'cancelled' : 'completed';
    this.write(
      sse(
        JSON.stringify({
          requestId: this.requestId,
          status,
          finishReason: end.finishReason,
          usage: end.usage,
          ...(end.cut ? { cut: end.cut } : {}),
          ...(end.error ? { error: end.error } : {}),
        }),
        'end',
      ),
    );
  }
}
