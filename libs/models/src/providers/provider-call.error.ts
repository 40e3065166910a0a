/**
 * How a provider call failed: `http` (an error status), `connection` (refused, reset),
 * `timeout` (the request's deadline), `stalled` (no bytes for the idle timeout), `truncated`
 * (the stream ended without its final event), `invalid_response` (not the wire format),
 * `cancelled` (the client stopped reading the stream).
 */
export type ProviderFailureKind = 'http' | 'connection' | 'timeout' | 'stalled' | 'truncated' | 'invalid_response' | 'cancelled';

/** What a failed call had produced before it failed: the tokens were spent even though the answer is dropped. */
export interface PartialOutput {
  content: string;
  ttftMs: number | null;
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/** A provider call that failed; carries what the retry policy and the accounting need. */
export class ProviderCallError extends Error {
  override readonly name = 'ProviderCallError';
  readonly kind: ProviderFailureKind;
  readonly status: number | undefined;
  /** The provider's `Retry-After` (or `retry-after-ms`), milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The provider's error type or code (`rate_limit_exceeded`, `overloaded_error`), never its free text. */
  readonly providerCode: string | undefined;
  readonly partial: PartialOutput | undefined;

  constructor(
    kind: ProviderFailureKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; providerCode?: string; partial?: PartialOutput; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
    this.partial = options.partial;
  }

  /** Worth trying again: 408/409/429/5xx, connection errors, stalls and cut streams. A passed deadline is not. */
  get retryable(): boolean {
    if (this.kind === 'http') return this.status !== undefined && RETRYABLE_STATUS(this.status);
    return this.kind !== 'timeout' && this.kind !== 'cancelled';
  }

  /** A failure of the provider (counts against its circuit breaker), as opposed to a bad request. */
  get providerFault(): boolean {
    return this.retryable;
  }

  /** `error.type` for spans, metrics and usage events: `http_429`, `stream_truncated`, `timeout`, ... */
  get errorType(): string {
    switch (this.kind) {
      case 'http':
        return `http_${this.status ?? 'error'}`;
      case 'truncated':
        return 'stream_truncated';
      case 'stalled':
        return 'stream_stalled';
      default:
        return this.kind;
    }
  }

  withPartial(partial: PartialOutput): ProviderCallError {
    return new ProviderCallError(this.kind, this.message, {
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      providerCode: this.providerCode,
      partial,
      cause: this.cause,
    });
  }
}
