import type { ChatMessage } from '#contracts';
import type { ProviderRequest, ProviderResult } from '../provider.js';
import { ProviderCallError, type PartialOutput } from '../provider-call.error.js';
import type { HttpStreamClient } from './http.client.js';
import { SseDecoder, type SseEvent } from './sse.decoder.js';

/** Turns one provider's stream events into a result; knows its own event names and final event. */
export interface StreamAssembler {
  event(event: SseEvent): void;
  partial(messages: readonly ChatMessage[]): PartialOutput;
  result(request: Pick<ProviderRequest, 'model' | 'messages'>): ProviderResult;
}

/**
 * One streaming call, whatever the provider: POSTs `body`, feeds server-sent events to `stream`, and
 * accepts a plain JSON answer from servers that ignore `stream: true`. A failure carries what had
 * arrived so far, so partial output is still accounted for.
 */
export async function streamedCall(
  client: HttpStreamClient,
  call: { url: URL; headers: Record<string, string>; body: unknown },
  request: ProviderRequest,
  stream: StreamAssembler,
  parseJson: (text: string, request: ProviderRequest) => ProviderResult,
): Promise<ProviderResult> {
  const decoder = new SseDecoder();
  let json: Buffer[] | null = null;
  try {
    await client.post(
      { url: call.url, headers: call.headers, body: JSON.stringify(call.body), signal: request.signal, idleTimeoutMs: request.idleTimeoutMs },
      {
        onResponse: (_status, headers) => {
          if (String(headers['content-type'] ?? '').includes('application/json')) json = [];
        },
        onData: (chunk) => {
          if (json) json.push(chunk);
          else for (const event of decoder.push(chunk)) stream.event(event);
        },
      },
    );
  } catch (error) {
    throw error instanceof ProviderCallError ? error.withPartial(stream.partial(request.messages)) : error;
  }
  if (json) return parseJson(Buffer.concat(json).toString('utf8'), request);
  for (const event of decoder.end()) stream.event(event);
  return stream.result(request);
}
