import { ERROR_CODES } from '#contracts';
import { promptContentHash } from './content-hash.js';
import { parsePromptDefinition } from './prompt-definition.parser.js';

const base = {
  name: 'greet',
  model: 'sim-1',
  template: { messages: [{ role: 'user' as const, content: '{{q}}' }] },
};

describe('prompt content hash', () => {
  it('is the same whether defaults are left out or spelled out, in any key order', () => {
    const implicit = parsePromptDefinition(base);
    const explicit = parsePromptDefinition({
      policies: { judge: { rubric: null, sampleRate: 0.1 }, cache: {}, guardrail: {} },
      responseFormat: null,
      params: { maxTokens: 256, temperature: 0 },
      ...base,
    });
    expect(promptContentHash(explicit)).toBe(promptContentHash(implicit));
  });

  it('changes with anything that changes the answer, but not with the name', () => {
    const hash = promptContentHash(parsePromptDefinition(base));
    expect(promptContentHash(parsePromptDefinition({ ...base, name: 'other' }))).toBe(hash);
    expect(promptContentHash(parsePromptDefinition({ ...base, model: 'sim-2' }))).not.toBe(hash);
    expect(promptContentHash(parsePromptDefinition({ ...base, params: { temperature: 0.5 } }))).not.toBe(hash);
    expect(promptContentHash(parsePromptDefinition({ ...base, policies: { cache: { ttlSeconds: 60 } } }))).not.toBe(hash);
  });
});

describe('parsePromptDefinition', () => {
  it('rejects a bad definition with invalid_request naming the field', () => {
    expect(() => parsePromptDefinition({ ...base, params: { temperature: 5 } })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.invalidRequest, message: expect.stringContaining('temperature') }),
    );
  });
});
