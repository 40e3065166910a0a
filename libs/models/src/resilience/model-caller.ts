import { ERROR_CODES, type ErrorCode } from '#contracts';
import type { ProviderRequest, ProviderResult } from '../providers/provider.js';
import { ProviderCallError } from '../providers/provider-call.error.js';
import type { ModelRouter, Route } from '../routing/model.router.js';
import { BulkheadFullError } from './bulkhead.js';
import type { Clock } from './clock.js';
import type { Bulkheads, CircuitBreakers } from './resilience.registry.js';
import { retryDelay, type ProviderRetryPolicy } from './retry.policy.js';

/** One provider call, successful or not: what accounting and telemetry need. */
export interface CallRecord {
  route: Route;
  /** Attempt on this model, from 1. */
  attempt: number;
  /** Waiting for the provider's bulkhead. */
  queueMs: number;
  /** From sending the request to the end of the stream (or the failure). */
  durationMs: number;
  ttftMs: number | null;
  result?: ProviderResult;
  error?: ProviderCallError;
}

/** Who the call is for; spans carry it. */
export interface CallMeta {
  requestId: string;
  tenantId: string;
  promptName?: string;
  promptVersion?: number;
}

/** Observes each provider call (the `chat {model}` span and GenAI metrics). */
export interface CallTelemetry {
  start(route: Route, request: ProviderRequest, meta: CallMeta): { end(record: CallRecord): void };
}

export interface ChainRequest {
  /** Models to try in order: the primary, then its fallbacks. */
  chain: readonly string[];
  /** The request for a route (messages may differ: a provider without JSON Schema mode gets instructions). */
  build(route: Route): Omit<ProviderRequest, 'model' | 'signal' | 'idleTimeoutMs'>;
  /** Epoch milliseconds (on the caller's clock) by which everything must be over. */
  deadline: number;
  meta: CallMeta;
  /** Called after every provider call, before the next one starts. */
  onCall(record: CallRecord): void;
  /** Keeps the consumer's group membership alive while waiting between attempts. */
  heartbeat?(): void;
  /** Aborts the call for good (a client stopped reading its stream): no retry, no fallback. */
  signal?: AbortSignal;
}

export type ChainOutcome =
  | { ok: true; result: ProviderResult; route: Route }
  | { ok: false; code: ErrorCode; message: string };

export interface ModelCallerDeps {
  router: ModelRouter;
  breakers: CircuitBreakers;
  bulkheads: Bulkheads;
  retry: ProviderRetryPolicy;
  clock: Clock;
  random?: () => number;
  /** A stream silent this long has stalled (before its first byte or between chunks). */
  idleTimeoutMs?: number;
  /** Upper bound of one call, below the request's remaining time. */
  attemptTimeoutMs?: number;
  telemetry?: CallTelemetry;
  /** Retries and fallbacks, for metrics. */
  onRetry?(route: Route, error: ProviderCallError): void;
  onFallback?(from: string, to: string): void;
}

const MAX_PROBLEMS = 6;

/**
 * The one retry layer: walks the fallback chain, and for each model retries retryable failures
 * with jittered backoff (honouring `Retry-After`), behind the model's circuit breaker and the
 * provider's bulkhead, all within the request's deadline. Never throws for provider failures.
 */
export class ModelCaller {
  constructor(private readonly deps: ModelCallerDeps) {}

  async call(request: ChainRequest): Promise<ChainOutcome> {
    const { clock } = this.deps;
    const problems: string[] = [];
    let called = false;
    let previous: string | undefined;
    for (const model of request.chain) {
      const route = this.deps.router.route(model);
      if (!route) {
        problems.push(`${model}: no provider serves it`);
        continue;
      }
      if (previous !== undefined) this.deps.onFallback?.(previous, model);
      previous = model;
      const breaker = this.deps.breakers.get(route.key);
      for (let attempt = 1; ; attempt++) {
        if (request.signal?.aborted) return cancelledOutcome();
        const remaining = request.deadline - clock.now();
        if (remaining <= 0) return deadlineOutcome(problems);
        if (!breaker.tryAcquire()) {
          problems.push(`${route.key}: circuit open`);
          break;
        }
        const timeout = AbortSignal.timeout(Math.max(1, Math.min(remaining, this.deps.attemptTimeoutMs ?? remaining)));
        const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
        const queued = performance.now();
        let release: () => void;
        try {
          release = await this.deps.bulkheads.get(route.provider).acquire(signal);
        } catch (error) {
          breaker.release();
          if (request.signal?.aborted) return cancelledOutcome();
          if (!(error instanceof BulkheadFullError)) return deadlineOutcome(problems);
          problems.push(`${route.provider.name}: ${error.message}`);
          break;
        }
        const record = await this.attempt(route, attempt, performance.now() - queued, signal, request);
        release();
        called = true;
        request.onCall(record);
        if (record.result) {
          breaker.onSuccess();
          return { ok: true, result: record.result, route };
        }
        const error = record.error!;
        if (error.kind === 'cancelled') {
          breaker.release();
          return cancelledOutcome();
        }
        if (error.retryable || error.kind === 'timeout') breaker.onFailure();
        else breaker.release();
        if (clock.now() >= request.deadline) return deadlineOutcome([...problems, `${route.key}: ${error.message}`]);
        problems.push(`${route.key}: ${error.message}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        const delay = retryDelay(attempt, error, this.deps.retry, this.deps.random);
        if (delay === null || clock.now() + delay >= request.deadline) break;
        this.deps.onRetry?.(route, error);
        request.heartbeat?.();
        await clock.sleep(delay);
      }
    }
    const code = called ? ERROR_CODES.providerError : ERROR_CODES.providerUnavailable;
    return { ok: false, code, message: `no model could answer: ${summary(problems)}` };
  }

  private async attempt(route: Route, attempt: number, queueMs: number, signal: AbortSignal, request: ChainRequest): Promise<CallRecord> {
    const providerRequest: ProviderRequest = {
      ...request.build(route),
      model: route.model,
      signal,
      ...(this.deps.idleTimeoutMs ? { idleTimeoutMs: this.deps.idleTimeoutMs } : {}),
    };
    const span = this.deps.telemetry?.start(route, providerRequest, request.meta);
    const started = performance.now();
    let record: CallRecord;
    try {
      const result = await route.provider.complete(providerRequest);
      record = { route, attempt, queueMs, durationMs: performance.now() - started, ttftMs: result.ttftMs, result };
    } catch (thrown) {
      const caught = asCallError(thrown, signal);
      const error = request.signal?.aborted ? new ProviderCallError('cancelled', 'the client cancelled the stream', { cause: caught, ...(caught.partial ? { partial: caught.partial } : {}) }) : caught;
      record = { route, attempt, queueMs, durationMs: performance.now() - started, ttftMs: error.partial?.ttftMs ?? null, error };
    }
    span?.end(record);
    return record;
  }
}

function asCallError(thrown: unknown, signal: AbortSignal): ProviderCallError {
  if (thrown instanceof ProviderCallError) return thrown;
  if (signal.aborted) return new ProviderCallError('timeout', 'the call ran out of time', { cause: thrown });
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new ProviderCallError('invalid_response', `the provider adapter failed: ${message}`, { cause: thrown });
}

function cancelledOutcome(): ChainOutcome {
  return { ok: false, code: ERROR_CODES.cancelled, message: 'the client stopped reading the stream; the model call was aborted' };
}

function deadlineOutcome(problems: readonly string[]): ChainOutcome {
  const tried = problems.length > 0 ? ` (${summary(problems)})` : '';
  return { ok: false, code: ERROR_CODES.deadlineExceeded, message: `the model call did not finish within the request's deadline${tried}` };
}

function summary(problems: readonly string[]): string {
  const shown = problems.slice(-MAX_PROBLEMS);
  return `${problems.length > shown.length ? '…; ' : ''}${shown.join('; ')}`;
}
