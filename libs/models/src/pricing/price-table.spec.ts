import { PRICE_TABLE, costOf, priceOf, withLocalPrices } from './price-table.js';

describe('price table', () => {
  it('prices dated snapshots like their alias and the simulator at zero on purpose', () => {
    expect(priceOf(PRICE_TABLE, 'gpt-4o-2024-08-06')).toEqual(PRICE_TABLE.models['gpt-4o']);
    expect(priceOf(PRICE_TABLE, 'claude-sonnet-4-5-20250929')).toEqual(PRICE_TABLE.models['claude-sonnet-4-5']);
    expect(costOf(priceOf(PRICE_TABLE, 'sim-anything'), { inputTokens: 10, outputTokens: 10, cachedTokens: 0 })).toBe(0);
  });

  it('returns null, not zero, for a model without a price', () => {
    expect(costOf(priceOf(PRICE_TABLE, 'llama-3.1-8b'), { inputTokens: 10, outputTokens: 10, cachedTokens: 0 })).toBeNull();
  });

  it('bills cached reads and cache writes at their own rates', () => {
    const sonnet = PRICE_TABLE.models['claude-sonnet-4-5'];
    // 100 uncached × 3 + 1,000 read × 0.3 + 500 written × 3.75 + 50 out × 15, per million
    expect(costOf(sonnet, { inputTokens: 1_600, cachedTokens: 1_000, cacheWriteTokens: 500, outputTokens: 50 })).toBeCloseTo(0.003225, 9);
  });

  it('versions local additions by their content', () => {
    const a = withLocalPrices(PRICE_TABLE, { 'llama-3.1-8b': { input: 0.05, output: 0.08, cachedInput: 0.05 } });
    const b = withLocalPrices(PRICE_TABLE, { 'llama-3.1-8b': { input: 0.06, output: 0.08, cachedInput: 0.05 } });
    expect(a.version).toMatch(/^2026-11-26\+local\.[0-9a-f]{8}$/);
    expect(a.version).not.toBe(b.version);
    expect(withLocalPrices(PRICE_TABLE, undefined)).toBe(PRICE_TABLE);
  });
});
