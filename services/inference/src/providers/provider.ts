import type { ChatMessage, ResponseFormat } from '#contracts';

export interface ProviderRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  responseFormat?: ResponseFormat;
  signal: AbortSignal;
}

export interface ProviderResult {
  content: string;
  model: string;
  finishReason: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** True when the provider reported no usage and the counts are a tokenizer estimate. */
  estimated: boolean;
  ttftMs: number | null;
}

/** A model provider. Implementations stream internally so time to first token is measured. */
export interface Provider {
  readonly name: string;
  supports(model: string): boolean;
  complete(request: ProviderRequest): Promise<ProviderResult>;
}
