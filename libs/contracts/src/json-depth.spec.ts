import { LlmRequest } from './llm-request.js';
import { MAX_JSON_DEPTH, depthOf } from './json-depth.js';

const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('hardening 4: nesting depth is bounded', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(depthOf('text')).toBe(0);
    expect(depthOf({})).toBe(1);
    expect(depthOf({ a: [[1]] })).toBe(3);
    expect(depthOf({ a: 1, b: { c: { d: {} } }, e: [] })).toBe(4);
  });

  it('walks 100,000 levels without overflowing the stack, and stops past the limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthOf(deep)).toBe(MAX_JSON_DEPTH + 1);
    expect(depthOf(nested(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
  });

  it('refuses an LlmRequest nested deeper than the limit, in variables or in the response schema', () => {
    const base = { requestId: 'r-1', tenantId: 'demo', prompt: { name: 'support-answer' } };
    expect(LlmRequest.safeParse({ ...base, variables: { deep: nested(10) } }).success).toBe(true);
    const deepVariables = LlmRequest.safeParse({ ...base, variables: { deep: nested(6_000) } });
    expect(deepVariables.success).toBe(false);
    expect(deepVariables.error?.issues[0]?.message).toMatch(/more than 64 levels/);
    const deepSchema = LlmRequest.safeParse({ ...base, responseFormat: { type: 'json_schema', schema: { items: nested(6_000) } } });
    expect(deepSchema.success).toBe(false);
  });
});
