import { createHash } from 'node:crypto';

/** USD per million tokens. `cacheWrite` only where the provider bills cache writes apart (Anthropic). */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput: number;
  cacheWrite?: number;
}

export interface PriceTable {
  /** A price change is a new version, never an edit: usage events record the version they were priced with. */
  version: string;
  models: Readonly<Record<string, ModelPrice>>;
}

/** List prices as published by the providers on the version date. */
export const PRICE_TABLE: PriceTable = {
  version: '2026-11-26',
  models: {
    // The simulator costs nothing, on purpose: every `sim-*` model.
    'sim-*': { input: 0, output: 0, cachedInput: 0 },
    'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
    'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
    'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
    'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
    'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
    'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
    'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
    'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
    o3: { input: 2, output: 8, cachedInput: 0.5 },
    'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
    'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 },
    'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1, cacheWrite: 1.25 },
    'claude-opus-4-5': { input: 5, output: 25, cachedInput: 0.5, cacheWrite: 6.25 },
    'claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5, cacheWrite: 18.75 },
    // Embedding models (the cache's OpenAI-compatible embedder): input tokens only.
    'text-embedding-3-small': { input: 0.02, output: 0, cachedInput: 0.02 },
    'text-embedding-3-large': { input: 0.13, output: 0, cachedInput: 0.13 },
    'text-embedding-ada-002': { input: 0.1, output: 0, cachedInput: 0.1 },
  },
};

/**
 * The built-in table with local additions (self-hosted models, negotiated rates). The version
 * names the additions by hash, so two deployments with different prices never share a version.
 */
export function withLocalPrices(base: PriceTable, local: Record<string, ModelPrice> | undefined): PriceTable {
  if (!local || Object.keys(local).length === 0) return base;
  const hash = createHash('sha256').update(JSON.stringify(Object.entries(local).sort(([a], [b]) => a.localeCompare(b)))).digest('hex').slice(0, 8);
  return { version: `${base.version}+local.${hash}`, models: { ...base.models, ...local } };
}

// Providers answer with dated snapshots (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`); they cost what the alias costs.
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

/**
 * The price of a model: its exact name, then without its snapshot date, then the longest `prefix*`
 * entry; undefined when the table has none.
 */
export function priceOf(table: PriceTable, ...models: string[]): ModelPrice | undefined {
  for (const model of models) {
    const price = table.models[model] ?? table.models[model.replace(SNAPSHOT_SUFFIX, '')];
    if (price) return price;
  }
  let best: [number, ModelPrice] | undefined;
  for (const [key, price] of Object.entries(table.models)) {
    if (!key.endsWith('*')) continue;
    const prefix = key.slice(0, -1);
    if (models.some((m) => m.startsWith(prefix)) && (!best || prefix.length > best[0])) best = [prefix.length, price];
  }
  return best?.[1];
}

export interface BilledTokens {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens?: number;
}

/** The cost of a call in USD, or null for a model without a price: unknown is flagged, never priced at zero. */
export function costOf(price: ModelPrice | undefined, tokens: BilledTokens): number | null {
  if (!price) return null;
  const write = tokens.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, tokens.inputTokens - tokens.cachedTokens - write);
  const micro =
    uncached * price.input + tokens.cachedTokens * price.cachedInput + write * (price.cacheWrite ?? price.input) + tokens.outputTokens * price.output;
  return micro / 1_000_000;
}
