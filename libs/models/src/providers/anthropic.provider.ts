import type { ChatMessage } from '#contracts';
import { HttpStreamClient } from './http/http.client.js';
import type { SseEvent } from './http/sse.decoder.js';
import { streamedCall } from './http/streamed-call.js';
import type { Provider, ProviderRequest, ProviderResult, StructuredOutputMode } from './provider.js';
import { ProviderCallError, type PartialOutput } from './provider-call.error.js';
import { estimateChatTokens, estimateTokens } from './token-estimate.js';
import { matchesModel } from '../routing/model-pattern.js';

export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicOptions {
  name: string;
  /** Defaults to `https://api.anthropic.com`; `/v1/messages` is appended. */
  baseUrl?: string;
  apiKey: string;
  headers?: Record<string, string>;
  /** Models this provider serves; defaults to `claude-*`. */
  models?: readonly string[];
  /**
   * `instruct` (default): the schema goes into the system prompt and the answer is validated.
   * `json_schema`: Anthropic's structured outputs (`output_format`, beta header), where the account has it.
   */
  structuredOutput?: 'instruct' | 'json_schema';
  maxConcurrent?: number;
  client?: HttpStreamClient;
}

const STRUCTURED_OUTPUTS_BETA = 'structured-outputs-2025-11-13';

/** Anthropic's Messages API, streamed over SSE. */
export class AnthropicProvider implements Provider {
  readonly name: string;
  readonly system = 'anthropic';
  readonly structuredOutput: StructuredOutputMode;
  readonly maxConcurrent: number | undefined;
  readonly server: { address: string; port: number };
  private readonly url: URL;
  private readonly client: HttpStreamClient;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: AnthropicOptions) {
    this.name = options.name;
    this.structuredOutput = options.structuredOutput ?? 'instruct';
    this.maxConcurrent = options.maxConcurrent;
    this.url = new URL(`${(options.baseUrl ?? 'https://api.anthropic.com').replace(/\/+$/, '')}/v1/messages`);
    this.server = { address: this.url.hostname, port: Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80) };
    this.client = options.client ?? new HttpStreamClient({ maxSockets: options.maxConcurrent ?? 256 });
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
      'x-api-key': options.apiKey,
      'anthropic-version': ANTHROPIC_VERSION,
      ...(this.structuredOutput === 'json_schema' ? { 'anthropic-beta': STRUCTURED_OUTPUTS_BETA } : {}),
      ...options.headers,
    };
  }

  supports(model: string): boolean {
    return matchesModel(this.options.models ?? ['claude-*'], model);
  }

  async complete(request: ProviderRequest): Promise<ProviderResult> {
    const stream = new AnthropicMessageStream(performance.now(), request.onDelta);
    return streamedCall(this.client, { url: this.url, headers: this.headers, body: anthropicBody(request, this.structuredOutput) }, request, stream, parseAnthropicMessage);
  }
}

/** The Messages API body: system messages become `system`, the rest alternate user/assistant. */
export function anthropicBody(request: ProviderRequest, mode: StructuredOutputMode): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const messages = request.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role === 'assistant' ? 'assistant' : 'user', content: m.content }));
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    // Anthropic's temperature runs 0–1; OpenAI-style requests may say up to 2.
    temperature: Math.min(1, request.temperature),
    ...(system ? { system } : {}),
    messages,
    stream: true,
    ...(request.responseFormat && mode === 'json_schema' ? { output_format: { type: 'json_schema', schema: request.responseFormat.schema } } : {}),
  };
}

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

// Anthropic's error types and the HTTP status each comes with, for errors sent inside a 200 stream.
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** Assembles a streamed message; it counts only when `message_stop` arrived. */
export class AnthropicMessageStream {
  private content = '';
  private model: string | undefined;
  private id: string | undefined;
  private stopReason: string | undefined;
  private usage: AnthropicUsage = {};
  private stopped = false;
  private ttftMs: number | null = null;

  constructor(
    private readonly started: number = performance.now(),
    private readonly onDelta?: (text: string) => void,
  ) {}

  event(event: SseEvent): void {
    if (this.stopped) return;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(event.data) as Record<string, unknown>;
    } catch (error) {
      throw new ProviderCallError('invalid_response', `a ${event.event || 'stream'} event is not valid JSON`, { cause: error });
    }
    switch (event.event || data['type']) {
      case 'message_start': {
        const message = data['message'] as { id?: string; model?: string; usage?: AnthropicUsage } | undefined;
        this.id = message?.id;
        this.model = message?.model;
        this.mergeUsage(message?.usage);
        break;
      }
      case 'content_block_delta': {
        const delta = data['delta'] as { type?: string; text?: string } | undefined;
        if (delta?.type === 'text_delta' && delta.text) {
          if (this.ttftMs === null) this.ttftMs = performance.now() - this.started;
          this.content += delta.text;
          this.onDelta?.(delta.text);
        }
        break;
      }
      case 'message_delta': {
        const delta = data['delta'] as { stop_reason?: string | null } | undefined;
        if (delta?.stop_reason) this.stopReason = delta.stop_reason;
        this.mergeUsage(data['usage'] as AnthropicUsage | undefined);
        break;
      }
      case 'message_stop':
        this.stopped = true;
        break;
      case 'error': {
        const type = (data['error'] as { type?: string } | undefined)?.type ?? 'api_error';
        throw new ProviderCallError('http', `the provider sent an error mid-stream (${type})`, { status: ERROR_STATUS[type] ?? 500, providerCode: type });
      }
      default:
        break; // ping, content_block_start/stop, and event types added later
    }
  }

  result(request: Pick<ProviderRequest, 'model' | 'messages'>): ProviderResult {
    if (!this.stopped) throw new ProviderCallError('truncated', 'the stream ended without message_stop', { partial: this.partial(request.messages) });
    return {
      content: this.content,
      model: this.model ?? request.model,
      finishReason: this.stopReason ?? 'end_turn',
      ...anthropicUsage(this.usage, request.messages, this.content),
      ttftMs: this.ttftMs,
      ...(this.id ? { responseId: this.id } : {}),
    };
  }

  partial(messages: readonly ChatMessage[]): PartialOutput {
    const usage = anthropicUsage(this.usage, messages, this.content);
    // message_start reports one output token; a cut stream's own text is the better count.
    const outputTokens = Math.max(usage.outputTokens, estimateTokens(this.content));
    return { content: this.content, ttftMs: this.ttftMs, inputTokens: usage.inputTokens, outputTokens, cachedTokens: usage.cachedTokens };
  }

  // message_delta carries cumulative counts; fields it leaves out keep their message_start value.
  private mergeUsage(usage: AnthropicUsage | undefined): void {
    if (!usage) return;
    for (const [key, value] of Object.entries(usage)) if (typeof value === 'number') (this.usage as Record<string, number>)[key] = value;
  }
}

interface AnthropicMessage {
  id?: string;
  type?: string;
  model?: string;
  content?: { type: string; text?: string }[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

/** Reads a non-streamed Messages API response. */
export function parseAnthropicMessage(body: string, request: Pick<ProviderRequest, 'model' | 'messages'>): ProviderResult {
  let parsed: AnthropicMessage;
  try {
    parsed = JSON.parse(body) as AnthropicMessage;
  } catch (error) {
    throw new ProviderCallError('invalid_response', 'the response body is not valid JSON', { cause: error });
  }
  if (parsed.type !== 'message' || !Array.isArray(parsed.content)) throw new ProviderCallError('invalid_response', 'the response is not a message');
  const content = parsed.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
  return {
    content,
    model: parsed.model ?? request.model,
    finishReason: parsed.stop_reason ?? 'end_turn',
    ...anthropicUsage(parsed.usage ?? {}, request.messages, content),
    ttftMs: null,
    ...(parsed.id ? { responseId: parsed.id } : {}),
  };
}

/** Anthropic's `input_tokens` leaves out cache reads and writes; Ballast's input count includes them. */
function anthropicUsage(usage: AnthropicUsage, messages: readonly ChatMessage[], output: string) {
  if (typeof usage.input_tokens === 'number' && typeof usage.output_tokens === 'number') {
    const read = usage.cache_read_input_tokens ?? 0;
    const write = usage.cache_creation_input_tokens ?? 0;
    return { inputTokens: usage.input_tokens + read + write, outputTokens: usage.output_tokens, cachedTokens: read, cacheWriteTokens: write, estimated: false };
  }
  return { inputTokens: estimateChatTokens(messages), outputTokens: estimateTokens(output), cachedTokens: 0, estimated: true };
}
