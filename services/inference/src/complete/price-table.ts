/** USD per million tokens. Versioned: a price change is a new table version, never an edit. */
export const PRICE_TABLE = {
  version: '2026-11-01',
  models: {
    'sim-1': { input: 0, output: 0, cachedInput: 0 },
    'sim-large': { input: 0, output: 0, cachedInput: 0 },
    'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
    'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
    'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  } as Record<string, { input: number; output: number; cachedInput: number }>,
};

/** The cost of a call, or null for a model without a price: unknown is flagged, never priced at zero. */
export function costOf(model: string, inputTokens: number, outputTokens: number, cachedTokens: number): number | null {
  const price = PRICE_TABLE.models[model];
  if (!price) return null;
  const uncached = Math.max(0, inputTokens - cachedTokens);
  return (uncached * price.input + cachedTokens * price.cachedInput + outputTokens * price.output) / 1_000_000;
}
