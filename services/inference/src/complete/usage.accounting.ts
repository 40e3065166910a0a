import { ERROR_CODES, type Completion, type PipelineState, type TokenUsage, type UsageEvent } from '#contracts';
import type { CallRecord, CallUsage, PriceTable } from '#models';

/** The `usage` event of one provider call: successful, failed, or cut off after output was produced. */
export function usageEvent(state: PipelineState, record: CallRecord, call: number, usage: CallUsage, prices: PriceTable): UsageEvent {
  const error = record.error;
  return {
    kind: 'inference',
    requestId: state.request.requestId,
    tenantId: state.request.tenantId,
    promptName: state.prompt?.name ?? null,
    promptVersion: state.prompt?.version ?? null,
    model: record.result?.model ?? record.route.model,
    provider: record.route.provider.name,
    status: record.result ? 'ok' : 'error',
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedTokens: usage.cachedTokens,
    costUsd: usage.costUsd,
    estimated: usage.estimated,
    latencyMs: record.durationMs,
    ttftMs: record.ttftMs,
    cache: state.cache?.outcome ?? null,
    verdicts: [],
    errorCode: error ? (error.kind === 'timeout' ? ERROR_CODES.deadlineExceeded : ERROR_CODES.providerError) : null,
    call,
    queueMs: record.queueMs,
    tokensPerSecond: usage.tokensPerSecond,
    priceTableVersion: prices.version,
    errorType: error?.errorType ?? null,
    ...(usage.partial ? { partial: true } : {}),
  };
}

/** The request's usage: every call it made added up (failed, partial and re-asked calls cost money too). */
export function totalUsage(calls: readonly CallUsage[], prices: PriceTable): TokenUsage {
  let unpriced = false;
  let cost = 0;
  for (const c of calls) {
    if (c.costUsd === null) unpriced = true;
    else cost += c.costUsd;
  }
  return {
    inputTokens: calls.reduce((n, c) => n + c.inputTokens, 0),
    outputTokens: calls.reduce((n, c) => n + c.outputTokens, 0),
    cachedTokens: calls.reduce((n, c) => n + c.cachedTokens, 0),
    costUsd: unpriced ? null : cost,
    estimated: calls.some((c) => c.estimated),
    priceTableVersion: prices.version,
  };
}

/** A ledger entry: the completion, or the final failure (replayed as is on redelivery, never re-called). */
export type LedgerEntry = Completion | { failed: { code: string; message: string } };

export function isFailure(entry: unknown): entry is { failed: { code: string; message: string } } {
  return typeof entry === 'object' && entry !== null && 'failed' in entry;
}

