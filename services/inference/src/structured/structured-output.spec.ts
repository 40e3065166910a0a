import type { ResponseFormat } from '#contracts';
import { StructuredOutput } from './structured-output.js';

const format: ResponseFormat = {
  type: 'json_schema',
  name: 'contact',
  strict: true,
  schema: { type: 'object', additionalProperties: false, required: ['name', 'email'], properties: { name: { type: 'string' }, email: { type: 'string' } } },
};

describe('StructuredOutput', () => {
  const structured = new StructuredOutput();

  it('accepts valid JSON, also inside a code fence or after a sentence', () => {
    const json = '{"name":"Ada","email":"ada@example.com"}';
    for (const content of [json, `\`\`\`json\n${json}\n\`\`\``, `Here you go: ${json}`]) {
      expect(structured.check(content, format)).toEqual({ ok: true, json, parsed: { name: 'Ada', email: 'ada@example.com' } });
    }
  });

  it('names what is wrong: not JSON, or where the value breaks the schema', () => {
    expect(structured.check('{"name": "Ada", "email":', format)).toEqual({ ok: false, errors: ['the output is not valid JSON'] });
    const result = structured.check('{"name": 7}', format);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual(expect.arrayContaining(["(root) must have required property 'email'", '/name must be string']));
  });

  it('adds schema instructions only for providers without a JSON Schema mode', () => {
    const messages = [
      { role: 'system' as const, content: 'Extract the contact.' },
      { role: 'user' as const, content: 'Ada, ada@example.com' },
    ];
    expect(structured.messagesFor(messages, format, 'json_schema')).toBe(messages);
    const instructed = structured.messagesFor(messages, format, 'instruct');
    expect(instructed.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(instructed[1]!.content).toContain('"required":["name","email"]');
  });

  it('re-asks with the invalid answer and the errors', () => {
    const reask = structured.reask([{ role: 'user', content: 'q' }], '{"name": 7}', ['/name must be string']);
    expect(reask.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(reask[2]!.content).toContain('/name must be string');
  });
});

describe('StructuredOutput formats', () => {
  it('checks the common string formats', () => {
    const emailOnly: ResponseFormat = { type: 'json_schema', name: 'e', strict: true, schema: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } };
    const structured = new StructuredOutput();
    expect(structured.check('{"email":"ada@example.com"}', emailOnly).ok).toBe(true);
    expect(structured.check('{"email":"not an address"}', emailOnly).ok).toBe(false);
  });
});
