import { DEFAULT_POLICY, GuardrailPolicy, PolicyCache, parsePolicy } from './guardrail-policy.js';

describe('GuardrailPolicy', () => {
  it('defaults to blocking injections, redacting PII both ways, a canary and one JSON re-ask', () => {
    expect(DEFAULT_POLICY.input.injection).toBe('block');
    expect(DEFAULT_POLICY.input.pii).toEqual({ default: 'redact', entities: {}, allow: [], recognizers: ['rules', 'lexicon'] });
    expect(DEFAULT_POLICY.output.pii.default).toBe('redact');
    expect(DEFAULT_POLICY.output.canary).toBe(true);
    expect(DEFAULT_POLICY.output.schema).toEqual({ repair: true, maxReasks: 1 });
    expect(DEFAULT_POLICY.fallback).toEqual({});
  });

  it('accepts the shorthands prompt files use', () => {
    const policy = GuardrailPolicy.parse({ input: { injection: 'block', pii: 'redact', denyTopics: ['crypto'], denyPatterns: ['\\bcvv\\b'] }, output: { pii: 'allow', canary: true } });
    expect(policy.input.denyTopics).toEqual([{ name: 'crypto', keywords: ['crypto'], action: 'block' }]);
    expect(policy.input.denyPatterns[0]).toMatchObject({ pattern: '\\bcvv\\b', action: 'block' });
    expect(policy.output.pii.default).toBe('allow');
  });

  it('names the field of every mistake, including unknown keys and dangerous patterns', () => {
    const result = parsePolicy({ input: { injection: 'maybe', denyPatterns: ['(a+)+$', '('] }, output: { canaray: true } });
    expect(result.ok).toBe(false);
    const errors = !result.ok ? result.errors.join('\n') : '';
    expect(errors).toContain('input.injection');
    expect(errors).toContain('backtrack catastrophically');
    expect(errors).toContain('not a valid regular expression');
    expect(errors).toContain('canaray');
  });

  it('parses a prompt version once', () => {
    const cache = new PolicyCache(2);
    const first = cache.get('h1', { input: { injection: 'warn' } });
    expect(cache.get('h1', {})).toBe(first);
  });
});
