import type { CallRecord } from '../resilience/model-caller.js';
import { costOf, priceOf, type BilledTokens, type PriceTable } from './price-table.js';

/** What one call cost and how fast it was, from the provider's usage or, failing that, an estimate. */
export interface CallUsage extends BilledTokens {
  costUsd: number | null;
  estimated: boolean;
  partial: boolean;
  tokensPerSecond: number | null;
}

export function callUsage(record: CallRecord, prices: PriceTable): CallUsage {
  const result = record.result;
  const partial = record.error?.partial;
  const spent = result ?? (partial && partial.content !== '' ? partial : undefined);
  const tokens: BilledTokens = {
    inputTokens: spent?.inputTokens ?? 0,
    outputTokens: spent?.outputTokens ?? 0,
    cachedTokens: spent?.cachedTokens ?? 0,
    ...(result?.cacheWriteTokens ? { cacheWriteTokens: result.cacheWriteTokens } : {}),
  };
  const price = priceOf(prices, record.route.requested, record.route.model, ...(result ? [result.model] : []));
  return {
    ...tokens,
    costUsd: costOf(price, tokens),
    estimated: result ? result.estimated : spent !== undefined,
    partial: !result && spent !== undefined,
    tokensPerSecond: tokensPerSecond(record),
  };
}

function tokensPerSecond(record: CallRecord): number | null {
  const result = record.result;
  if (!result || record.ttftMs === null || result.outputTokens < 2) return null;
  const seconds = (record.durationMs - record.ttftMs) / 1000;
  return seconds > 0 ? result.outputTokens / seconds : null;
}

