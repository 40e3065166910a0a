import type { ChatMessage } from '#contracts';
import { HttpStreamClient } from './http/http.client.js';
import type { SseEvent } from './http/sse.decoder.js';
import { streamedCall } from './http/streamed-call.js';
import type { Provider, ProviderRequest, ProviderResult, StructuredOutputMode } from './provider.js';
import { ProviderCallError, type PartialOutput } from './provider-call.error.js';
import { estimateChatTokens, estimateTokens } from './token-estimate.js';
import { matchesModel } from '../routing/model-pattern.js';

export interface OpenAiCompatibleOptions {
  /** The configured name (`openai`, `azure-eu`, `vllm`). */
  name: string;
  /** `gen_ai.provider.name`; `openai` unless the endpoint is another system (`azure.ai.openai`, `vllm`, `ollama`). */
  system?: string;
  /** Up to and including `/v1` (OpenAI, vLLM, Ollama, llama.cpp), or an Azure deployment URL. */
  baseUrl: string;
  apiKey?: string;
  /** Sent with every call (Azure's `api-key`, an organisation header, a gateway's routing header). */
  headers?: Record<string, string>;
  /** Added to the URL (Azure's `api-version`). */
  query?: Record<string, string>;
  /** Models this provider serves: exact names, `prefix*`, or `*`. */
  models: readonly string[];
  structuredOutput?: StructuredOutputMode;
  /** OpenAI's reasoning models take only `max_completion_tokens`; most compatible servers read `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Ask for the usage chunk (`stream_options.include_usage`); turn off for servers that reject the option. */
  streamUsage?: boolean;
  maxConcurrent?: number;
  client?: HttpStreamClient;
}

/**
 * OpenAI chat completions over HTTP, streamed over SSE: OpenAI, Azure OpenAI, vLLM, Ollama,
 * llama.cpp server and anything else that speaks the format. A server that ignores `stream: true`
 * and answers with one JSON body is read too.
 */
export class OpenAiCompatibleProvider implements Provider {
  readonly name: string;
  readonly system: string;
  readonly structuredOutput: StructuredOutputMode;
  readonly maxConcurrent: number | undefined;
  readonly server: { address: string; port: number };
  private readonly url: URL;
  private readonly client: HttpStreamClient;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.name = options.name;
    this.system = options.system ?? 'openai';
    this.structuredOutput = options.structuredOutput ?? 'json_schema';
    this.maxConcurrent = options.maxConcurrent;
    this.url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
    for (const [k, v] of Object.entries(options.query ?? {})) this.url.searchParams.set(k, v);
    this.server = { address: this.url.hostname, port: Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80) };
    this.client = options.client ?? new HttpStreamClient({ maxSockets: options.maxConcurrent ?? 256 });
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...options.headers,
    };
  }

  supports(model: string): boolean {
    return matchesModel(this.options.models, model);
  }

  async complete(request: ProviderRequest): Promise<ProviderResult> {
    const started = performance.now();
    const stream = new OpenAiChatStream(started, request.onDelta);
    return streamedCall(this.client, { url: this.url, headers: this.headers, body: this.body(request) }, request, stream, parseOpenAiCompletion);
  }

  private body(request: ProviderRequest): Record<string, unknown> {
    const format = request.responseFormat;
    return {
      model: request.model,
      messages: request.messages.map(toWire),
      temperature: request.temperature,
      [this.options.maxTokensField ?? 'max_tokens']: request.maxTokens,
      stream: true,
      ...(this.options.streamUsage === false ? {} : { stream_options: { include_usage: true } }),
      ...(format && this.structuredOutput === 'json_schema'
        ? { response_format: { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: format.strict } } }
        : format && this.structuredOutput === 'json_object'
          ? { response_format: { type: 'json_object' } }
          : {}),
    };
  }
}

function toWire(message: ChatMessage): Record<string, string> {
  return message.name ? { role: message.role, content: message.content, name: message.name } : { role: message.role, content: message.content };
}

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

interface OpenAiChunk {
  id?: string;
  model?: string;
  choices?: { delta?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }[];
  usage?: OpenAiUsage | null;
  error?: { message?: string; type?: string; code?: string | number | null };
}

/** Assembles a streamed chat completion; the stream counts only when it ended with `data: [DONE]` after a finish reason. */
export class OpenAiChatStream {
  private content = '';
  private refusal = '';
  private finishReason: string | undefined;
  private usage: OpenAiUsage | undefined;
  private model: string | undefined;
  private id: string | undefined;
  private done = false;
  private ttftMs: number | null = null;

  constructor(
    private readonly started: number = performance.now(),
    private readonly onDelta?: (text: string) => void,
  ) {}

  event(event: SseEvent): void {
    if (this.done) return;
    if (event.data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: OpenAiChunk;
    try {
      chunk = JSON.parse(event.data) as OpenAiChunk;
    } catch (error) {
      throw new ProviderCallError('invalid_response', 'a stream chunk is not valid JSON', { cause: error });
    }
    if (chunk.error) {
      const code = chunk.error.code ?? chunk.error.type;
      const status = typeof code === 'number' ? code : 500;
      throw new ProviderCallError('http', `the provider sent an error mid-stream${typeof code === 'string' ? ` (${code})` : ''}`, {
        status,
        ...(typeof code === 'string' ? { providerCode: code } : {}),
      });
    }
    this.id ??= chunk.id;
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const text = choice.delta?.content;
    const refusal = choice.delta?.refusal;
    if ((text || refusal) && this.ttftMs === null) this.ttftMs = performance.now() - this.started;
    if (text) {
      this.content += text;
      this.onDelta?.(text);
    }
    if (refusal) this.refusal += refusal;
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  result(request: Pick<ProviderRequest, 'model' | 'messages'>): ProviderResult {
    if (!this.done || !this.finishReason) {
      const missing = !this.finishReason ? 'a finish reason' : 'data: [DONE]';
      throw new ProviderCallError('truncated', `the stream ended without ${missing}`, { partial: this.partial(request.messages) });
    }
    const refused = this.content === '' && this.refusal !== '';
    return {
      content: this.content,
      model: this.model ?? request.model,
      finishReason: refused ? 'refusal' : this.finishReason,
      ...usageOf(this.usage, request.messages, this.content + this.refusal),
      ttftMs: this.ttftMs,
      ...(this.id ? { responseId: this.id } : {}),
    };
  }

  partial(messages: readonly ChatMessage[]): PartialOutput {
    const usage = usageOf(this.usage, messages, this.content);
    return { content: this.content, ttftMs: this.ttftMs, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cachedTokens: usage.cachedTokens };
  }
}

interface OpenAiCompletion {
  id?: string;
  model?: string;
  choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string | null }[];
  usage?: OpenAiUsage | null;
}

/** Reads a non-streamed `chat.completion` body. */
export function parseOpenAiCompletion(body: string, request: Pick<ProviderRequest, 'model' | 'messages'>): ProviderResult {
  let parsed: OpenAiCompletion;
  try {
    parsed = JSON.parse(body) as OpenAiCompletion;
  } catch (error) {
    throw new ProviderCallError('invalid_response', 'the response body is not valid JSON', { cause: error });
  }
  const choice = parsed.choices?.[0];
  if (!choice?.message || !choice.finish_reason) throw new ProviderCallError('invalid_response', 'the response has no finished choice');
  const content = choice.message.content ?? '';
  const refusal = choice.message.refusal ?? '';
  return {
    content,
    model: parsed.model ?? request.model,
    finishReason: content === '' && refusal !== '' ? 'refusal' : choice.finish_reason,
    ...usageOf(parsed.usage ?? undefined, request.messages, content + refusal),
    ttftMs: null,
    ...(parsed.id ? { responseId: parsed.id } : {}),
  };
}

function usageOf(usage: OpenAiUsage | undefined, messages: readonly ChatMessage[], output: string) {
  if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
    return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0, estimated: false };
  }
  return { inputTokens: estimateChatTokens(messages), outputTokens: estimateTokens(output), cachedTokens: 0, estimated: true };
}
