import { Ajv2020 } from 'ajv/dist/2020.js';
import { TOPICS, createEnvelope } from './index.js';
import { withJsonFormats } from './json-formats.js';
import { publicJsonSchemas } from './json-schema.js';

describe('public JSON Schemas', () => {
  const schemas = publicJsonSchemas();
  const ajv = withJsonFormats(new Ajv2020({ strict: false, allErrors: true }));

  it('accepts a request envelope a backend would publish, and rejects one without a tenant', () => {
    const validate = ajv.compile(schemas[`${TOPICS.requests}.envelope.schema.json`] as object);
    const envelope = createEnvelope(TOPICS.requests, { requestId: 'r-1', tenantId: 'demo', prompt: { name: 'support-answer' }, variables: { question: 'hi' } } as never, { requestId: 'r-1', tenantId: 'demo' });
    expect(validate(JSON.parse(JSON.stringify(envelope)))).toBe(true);
    const { tenantId: _dropped, ...withoutTenant } = envelope;
    expect(validate(withoutTenant)).toBe(false);
    expect(validate.errors?.some((e) => e.params && 'missingProperty' in e.params && e.params.missingProperty === 'tenantId')).toBe(true);
  });

  it('checks the formats it declares: a createdAt that is not a date-time is refused', () => {
    const validate = ajv.compile(schemas[`${TOPICS.requests}.envelope.schema.json`] as object);
    const envelope = JSON.parse(JSON.stringify(createEnvelope(TOPICS.requests, { requestId: 'r-2', tenantId: 'demo', prompt: { name: 'support-answer' }, variables: {} } as never, { requestId: 'r-2', tenantId: 'demo' }))) as Record<string, unknown>;
    expect(validate({ ...envelope, createdAt: 'yesterday' })).toBe(false);
    expect(validate.errors?.filter((e) => e.instancePath === '/createdAt').map((e) => e.keyword)).toContain('format');
  });

  it('has one envelope schema per topic that carries envelopes', () => {
    const topics = Object.keys(schemas).filter((f) => f.endsWith('.envelope.schema.json')).map((f) => f.replace('.envelope.schema.json', ''));
    expect(topics.sort()).toEqual(Object.values(TOPICS).filter((t) => t !== TOPICS.dlq).sort());
  });
});
