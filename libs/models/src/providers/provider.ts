import type { ChatMessage, ResponseFormat } from '#contracts';

export interface ProviderRequest {
  /** The model name as the provider knows it. */
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  /** Set only when the provider's own JSON Schema mode is used; otherwise the schema is in the messages. */
  responseFormat?: ResponseFormat;
  /** Aborts the call: the request's deadline. */
  signal: AbortSignal;
  /** A stream silent for this long (before the first byte or between chunks) has stalled. */
  idleTimeoutMs?: number;
  /** Receives the answer's text as it arrives (streamed requests); the result still carries the whole answer. */
  onDelta?: (text: string) => void;
}

export interface ProviderResult {
  content: string;
  /** The model that answered, as the provider reports it (often a dated snapshot of the requested one). */
  model: string;
  finishReason: string;
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens: number;
  /** Input tokens written to the provider's prompt cache (Anthropic bills them apart). */
  cacheWriteTokens?: number;
  /** True when the provider reported no usage and the counts are a tokenizer estimate. */
  estimated: boolean;
  /** Milliseconds from sending the request to the first chunk of generated output; null when not streamed. */
  ttftMs: number | null;
  responseId?: string;
}

/**
 * How a provider takes a JSON Schema: `json_schema` — its own structured-output mode;
 * `json_object` — JSON mode without a schema (the schema goes into the instructions);
 * `instruct` — no JSON mode at all: instruct, parse and validate.
 */
export type StructuredOutputMode = 'json_schema' | 'json_object' | 'instruct';

/** A model provider. Implementations stream internally so time to first token is measured. */
export interface Provider {
  /** The configured name: routing, circuit breakers and bulkheads key on it. */
  readonly name: string;
  /** `gen_ai.provider.name`: `openai`, `anthropic`, `azure.ai.openai`, ... */
  readonly system: string;
  readonly structuredOutput: StructuredOutputMode;
  /** Concurrent calls allowed (the bulkhead); unset means the service default. */
  readonly maxConcurrent?: number;
  /** Host and port for `server.address`/`server.port` span attributes. */
  readonly server?: { address: string; port: number };
  supports(model: string): boolean;
  /** Resolves with the whole answer, or rejects (with `ProviderCallError` for provider failures). */
  complete(request: ProviderRequest): Promise<ProviderResult>;
}
