import { BallastError, ERROR_CODES } from '#contracts';
import { normalize, type Embedder } from './embedder.js';

export interface OpenAiEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1` (OpenAI, Azure, vLLM, Ollama, TEI). */
  baseUrl: string;
  model: string;
  dimensions: number;
  apiKey?: string;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** Per attempt. Default 2,000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a timeout, network error, 429 or 5xx. Default 2. */
  retries?: number;
  /** Backoff before retry n is `backoffMs * 2^n`. Default 100. */
  backoffMs?: number;
  /** Sends `dimensions` in the request (models that can shorten their vectors, e.g. text-embedding-3-*). Default false. */
  sendDimensions?: boolean;
}

interface EmbeddingsBody {
  data?: { index?: number; embedding?: unknown }[];
}

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504]);

/** `POST {baseUrl}/embeddings`, in batches, each attempt bounded by `timeoutMs`, retried with backoff. */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly url: string;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<Float32Array[]> {
    const size = this.options.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.batch(texts.slice(i, i + size), options.signal)));
    return out;
  }

  private async batch(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.post(input, signal);
      } catch (error) {
        const retryable = error instanceof BallastError && error.transient;
        if (!retryable || attempt >= retries || signal?.aborted) throw error;
        await new Promise((resolve) => setTimeout(resolve, (this.options.backoffMs ?? 100) * 2 ** attempt));
      }
    }
  }

  private async post(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.model, input, ...(this.options.sendDimensions ? { dimensions: this.dimensions } : {}) }),
        signal: attemptSignal,
      });
    } catch (error) {
      const what = attemptSignal.aborted && !signal?.aborted ? `did not answer within ${timeoutMs} ms` : 'could not be reached';
      throw new BallastError(ERROR_CODES.providerUnavailable, `the embeddings endpoint ${this.url} ${what}`, { transient: true, cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new BallastError(ERROR_CODES.providerError, `the embeddings endpoint ${this.url} answered HTTP ${response.status} for model ${this.model}`, {
        transient: RETRYABLE.has(response.status),
        status: response.status,
      });
    }
    const body = (await response.json()) as EmbeddingsBody;
    const data = body.data ?? [];
    if (data.length !== input.length) {
      throw new BallastError(ERROR_CODES.providerError, `the embeddings endpoint returned ${data.length} vectors for ${input.length} texts`);
    }
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map(({ embedding }) => {
      if (!Array.isArray(embedding) || embedding.length !== this.dimensions || !embedding.every((x) => typeof x === 'number')) {
        throw new BallastError(
          ERROR_CODES.providerError,
          `the embeddings endpoint returned a vector of ${Array.isArray(embedding) ? embedding.length : typeof embedding} for model ${this.model}, configured with ${this.dimensions} dimensions`,
        );
      }
      return normalize(Float32Array.from(embedding as number[]));
    });
  }
}
