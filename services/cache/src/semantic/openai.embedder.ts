import type { IncomingHttpHeaders } from 'node:http';
import { BallastError, ERROR_CODES, UsageEvent } from '#contracts';
import {
  CircuitBreaker,
  DEFAULT_CIRCUIT,
  DEFAULT_PROVIDER_RETRY,
  PRICE_TABLE,
  ProviderCallError,
  costOf,
  priceOf,
  retryAfterMs,
  retryDelay,
  systemClock,
  type CircuitBreakerSettings,
  type Clock,
  type PriceTable,
  type ProviderRetryPolicy,
} from '#models';
import { normalize, type EmbedContext, type EmbedOptions, type Embedder } from './embedder.js';

export interface OpenAiEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1` (OpenAI, Azure, vLLM, Ollama, TEI). */
  baseUrl: string;
  model: string;
  dimensions: number;
  apiKey?: string;
  /** Texts per request; concurrent calls are sent together up to this many. Default 64. */
  batchSize?: number;
  /** Per attempt. Default 2,000 ms. */
  timeoutMs?: number;
  /** Retries with backoff, as inference retries a model (`DEFAULT_PROVIDER_RETRY`: 3 attempts, Retry-After honoured). */
  retry?: Partial<ProviderRetryPolicy>;
  /** The endpoint's circuit breaker, as inference's per model (`DEFAULT_CIRCUIT`). */
  circuit?: Partial<CircuitBreakerSettings>;
  /** Sends `dimensions` in the request (models that can shorten their vectors, e.g. text-embedding-3-*). Default false. */
  sendDimensions?: boolean;
  /** Prices the calls (inference's table); a model it does not name has a null cost. */
  prices?: PriceTable;
  /** Receives one usage event per attempt made for a call that named its request (`EmbedContext`). */
  onUsage?: (event: UsageEvent) => void;
  clock?: Clock;
}

interface EmbeddingsBody {
  data?: { index?: number; embedding?: unknown }[];
  usage?: { prompt_tokens?: number; total_tokens?: number };
}

/** One `embed` call waiting for its vectors. */
interface Waiter {
  texts: string[];
  context: EmbedContext | undefined;
  vectors: Float32Array[];
  left: number;
  settled: boolean;
  aborted: boolean;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/** One request's worth of texts, from one or more waiters. */
interface Batch {
  items: { waiter: Waiter; index: number }[];
}

export const EMBEDDINGS_PROVIDER = 'openai-compatible';

/**
 * `POST {baseUrl}/embeddings`. Calls made in the same turn of the event loop go out together, in
 * requests of up to `batchSize` texts. Each attempt is bounded by `timeoutMs`; failures are retried
 * and counted by a circuit breaker with inference's rules (`#models`); an open circuit fails at once.
 * Every attempt for a call with a context is reported as a usage event (kind `cache`, tokens, cost).
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  private readonly url: string;
  private readonly retry: ProviderRetryPolicy;
  private readonly clock: Clock;
  private readonly prices: PriceTable;
  readonly breaker: CircuitBreaker;
  private queue: Waiter[] = [];
  private flushing = false;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
    this.retry = { ...DEFAULT_PROVIDER_RETRY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.prices = options.prices ?? PRICE_TABLE;
    this.breaker = new CircuitBreaker({ ...DEFAULT_CIRCUIT, ...options.circuit }, this.clock);
  }

  embed(texts: string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Float32Array[]>((resolve, reject) => {
      const waiter: Waiter = {
        texts,
        context: options.context,
        vectors: new Array<Float32Array>(texts.length),
        left: texts.length,
        settled: false,
        aborted: false,
        resolve: (v) => {
          if (waiter.settled) return;
          waiter.settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          if (waiter.settled) return;
          waiter.settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      // The request may carry other callers' texts: only this caller stops waiting.
      const onAbort = () => {
        waiter.aborted = true;
        waiter.reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushing = false;
    const waiters = this.queue;
    this.queue = [];
    const size = this.options.batchSize ?? 64;
    const batches: Batch[] = [];
    for (const waiter of waiters) {
      for (let index = 0; index < waiter.texts.length; index += 1) {
        let last = batches.at(-1);
        if (!last || last.items.length === size) batches.push((last = { items: [] }));
        last.items.push({ waiter, index });
      }
    }
    void this.sendInTurn(batches);
  }

  /** One request at a time per flush, as one caller's long list was sent before. */
  private async sendInTurn(batches: Batch[]): Promise<void> {
    for (const batch of batches) {
      const live = batch.items.filter((i) => !i.waiter.settled);
      if (live.length === 0) continue;
      try {
        const vectors = await this.send(live);
        live.forEach(({ waiter, index }, i) => {
          waiter.vectors[index] = vectors[i]!;
          if (--waiter.left === 0) waiter.resolve(waiter.vectors);
        });
      } catch (error) {
        for (const { waiter } of live) waiter.reject(error);
      }
    }
  }

  /** Attempts with backoff and the breaker; gives up when every caller in the batch stopped waiting. */
  private async send(items: Batch['items']): Promise<Float32Array[]> {
    const input = items.map(({ waiter, index }) => waiter.texts[index]!);
    const everyoneGone = new AbortController();
    const watch = setInterval(() => {
      if (items.every((i) => i.waiter.aborted)) everyoneGone.abort(new Error('every caller stopped waiting'));
    }, 25);
    try {
      for (let attempt = 1; ; attempt += 1) {
        if (!this.breaker.tryAcquire()) {
          this.report(items, attempt, 0, { error: 'circuit_open' });
          throw new BallastError(ERROR_CODES.providerUnavailable, `the embeddings endpoint ${this.url} is failing: its circuit is open, no call was made`, { transient: true });
        }
        const started = this.clock.now();
        try {
          const answer = await this.post(input, everyoneGone.signal);
          this.breaker.onSuccess();
          this.report(items, attempt, this.clock.now() - started, { tokens: answer.tokens });
          return answer.vectors;
        } catch (error) {
          const failure = error instanceof ProviderCallError ? error : null;
          if (failure?.retryable) this.breaker.onFailure();
          else this.breaker.release();
          this.report(items, attempt, this.clock.now() - started, { error: !failure ? 'invalid_response' : failure.kind === 'stalled' ? 'timeout' : failure.errorType });
          const delay = failure && !everyoneGone.signal.aborted ? retryDelay(attempt, failure, this.retry) : null;
          if (delay === null) throw toBallastError(error, this.url, this.model);
          await this.clock.sleep(delay, everyoneGone.signal).catch(() => undefined);
          if (everyoneGone.signal.aborted) throw toBallastError(error, this.url, this.model);
        }
      }
    } finally {
      clearInterval(watch);
    }
  }

  private async post(input: string[], signal: AbortSignal): Promise<{ vectors: Float32Array[]; tokens: { count: number; estimated: boolean } }> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const attemptSignal = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.model, input, ...(this.options.sendDimensions ? { dimensions: this.dimensions } : {}) }),
        signal: attemptSignal,
      });
    } catch (error) {
      if (attemptSignal.aborted && !signal.aborted) throw new ProviderCallError('stalled', `the embeddings endpoint ${this.url} did not answer within ${timeoutMs} ms`, { cause: error });
      throw new ProviderCallError('connection', `the embeddings endpoint ${this.url} could not be reached`, { cause: error });
    }
    if (!response.ok) {
      await response.body?.cancel();
      const headers: IncomingHttpHeaders = { 'retry-after': response.headers.get('retry-after') ?? undefined, 'retry-after-ms': response.headers.get('retry-after-ms') ?? undefined };
      const wait = retryAfterMs(headers);
      throw new ProviderCallError('http', `the embeddings endpoint ${this.url} answered HTTP ${response.status} for model ${this.model}`, {
        status: response.status,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    }
    let body: EmbeddingsBody;
    try {
      body = (await response.json()) as EmbeddingsBody;
    } catch (error) {
      if (attemptSignal.aborted && !signal.aborted) throw new ProviderCallError('stalled', `the embeddings endpoint ${this.url} did not answer within ${timeoutMs} ms`, { cause: error });
      throw new ProviderCallError('invalid_response', `the embeddings endpoint ${this.url} answered with a body that is not JSON`, { cause: error });
    }
    const data = body.data ?? [];
    if (data.length !== input.length) {
      throw new BallastError(ERROR_CODES.providerError, `the embeddings endpoint returned ${data.length} vectors for ${input.length} texts`);
    }
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const vectors = ordered.map(({ embedding }) => {
      if (!Array.isArray(embedding) || embedding.length !== this.dimensions || !embedding.every((x) => typeof x === 'number')) {
        throw new BallastError(
          ERROR_CODES.providerError,
          `the embeddings endpoint returned a vector of ${Array.isArray(embedding) ? embedding.length : typeof embedding} for model ${this.model}, configured with ${this.dimensions} dimensions`,
        );
      }
      return normalize(Float32Array.from(embedding as number[]));
    });
    const reported = body.usage?.prompt_tokens ?? body.usage?.total_tokens;
    const tokens = typeof reported === 'number' && Number.isInteger(reported) && reported >= 0 ? { count: reported, estimated: false } : { count: estimateTokens(input), estimated: true };
    return { vectors, tokens };
  }

  /**
   * One usage event per caller with a context: the request's tokens shared out by the length of
   * each caller's texts (estimated when the request carried more than one caller's texts).
   */
  private report(items: Batch['items'], attempt: number, latencyMs: number, outcome: { tokens?: { count: number; estimated: boolean }; error?: string }): void {
    const onUsage = this.options.onUsage;
    if (!onUsage) return;
    const chars = new Map<Waiter, number>();
    for (const { waiter, index } of items) chars.set(waiter, (chars.get(waiter) ?? 0) + waiter.texts[index]!.length);
    const total = [...chars.values()].reduce((a, b) => a + b, 0) || 1;
    const price = priceOf(this.prices, this.model);
    for (const [waiter, length] of chars) {
      const context = waiter.context;
      if (!context) continue;
      const inputTokens = outcome.tokens ? Math.round((outcome.tokens.count * length) / total) : 0;
      const event = UsageEvent.parse({
        kind: 'cache',
        requestId: context.requestId,
        tenantId: context.tenantId,
        promptName: context.promptName,
        promptVersion: context.promptVersion,
        model: this.model,
        provider: EMBEDDINGS_PROVIDER,
        status: outcome.error ? 'error' : 'ok',
        inputTokens,
        costUsd: costOf(price, { inputTokens, outputTokens: 0, cachedTokens: 0 }),
        estimated: outcome.tokens ? outcome.tokens.estimated || chars.size > 1 : false,
        latencyMs,
        errorCode: outcome.error ? ERROR_CODES.providerError : null,
        errorType: outcome.error ?? null,
        call: attempt,
        priceTableVersion: this.prices.version,
      });
      try {
        onUsage(event);
      } catch {
        // Accounting never fails an embedding.
      }
    }
  }
}

/** About four characters per token, as the providers' own rule of thumb. */
function estimateTokens(texts: string[]): number {
  return texts.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
}

/** The stable code the cache stage counts and logs: unavailable (timeouts, connection, breaker) or a provider error. */
function toBallastError(error: unknown, url: string, model: string): BallastError {
  if (error instanceof BallastError) return error;
  if (error instanceof ProviderCallError) {
    // No answer in time (a stall of the endpoint, retried like one) or no connection: unavailable.
    const unavailable = error.kind === 'stalled' || error.kind === 'connection';
    return new BallastError(unavailable ? ERROR_CODES.providerUnavailable : ERROR_CODES.providerError, error.message, {
      transient: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
      cause: error,
    });
  }
  return new BallastError(ERROR_CODES.providerError, `the embeddings endpoint ${url} failed for model ${model}`, { cause: error });
}
