import type { ResponseFormat } from './chat.js';
import { JsonOutputValidator, firstJsonValue, repairCandidates, withoutTrailingCommas } from './json-output.validator.js';

const format: ResponseFormat = {
  type: 'json_schema',
  name: 'contact',
  strict: true,
  schema: { type: 'object', additionalProperties: false, required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: ['string', 'null'] } } },
};

describe('JsonOutputValidator', () => {
  const validator = new JsonOutputValidator();

  it('accepts valid JSON as it is', () => {
    expect(validator.validate('{"name":"Ada","email":null}', format)).toEqual({ ok: true, parsed: { name: 'Ada', email: null }, content: '{"name":"Ada","email":null}', repaired: false });
  });

  it('repairs code fences, surrounding prose and trailing commas', () => {
    const fenced = 'Here you go:\n```json\n{"name": "Ada", "email": "ada@example.org"}\n```\nAnything else?';
    expect(validator.validate(fenced, format)).toMatchObject({ ok: true, repaired: true, parsed: { name: 'Ada', email: 'ada@example.org' } });
    expect(validator.validate('Sure! {"name": "Ada", "email": null} Hope it helps {:', format)).toMatchObject({ ok: true, repaired: true });
    expect(validator.validate('{"name": "Ada", "email": null,}', format)).toMatchObject({ ok: true, content: '{"name": "Ada", "email": null}' });
  });

  it('does not repair when the policy turns repair off', () => {
    expect(validator.validate('```json\n{"name":"Ada","email":null}\n```', format, { repair: false })).toEqual({ ok: false, errors: ['the output is not valid JSON'] });
  });

  it('reports schema errors a model can act on', () => {
    const result = validator.validate('{"name": 42}', format);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(expect.arrayContaining(["(root) must have required property 'email'", '/name must be string']));
  });

  it('fails cleanly on a schema that does not compile and on absurd nesting', () => {
    expect(validator.validate('{}', { ...format, schema: { type: 'nonsense' } }).ok).toBe(false);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(validator.validate(deep, { ...format, schema: { type: 'array' } }).ok).toBe(false);
  });
});

describe('JSON repair helpers', () => {
  it('find the first balanced value, skipping brackets in strings', () => {
    expect(firstJsonValue('x {"a": "}{", "b": [1, 2]} y {"c": 1}')).toBe('{"a": "}{", "b": [1, 2]}');
    expect(firstJsonValue('no json here')).toBeNull();
    expect(firstJsonValue('{'.repeat(50_000))).toBeNull();
  });
  it('drop trailing commas outside strings only', () => {
    expect(withoutTrailingCommas('{"a": [1, 2,], "b": ",}",}')).toBe('{"a": [1, 2], "b": ",}"}');
  });
  it('list candidates from the most faithful to the most repaired', () => {
    expect(repairCandidates('```\n[1,2,]\n```')).toEqual(['[1,2,]', '[1,2]']);
  });
});
