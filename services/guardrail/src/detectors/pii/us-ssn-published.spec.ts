import { GuardrailPolicy } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { PiiDetector } from './pii.detector.js';
import { isPublishedSsn, loadPublishedSsns } from './us-ssn-published.js';

describe('hardening 8: published SSNs are still redacted', () => {
  it('loads the published numbers from the data file', () => {
    expect(isPublishedSsn('078', '05', '1120')).toBe(true);
    expect(isPublishedSsn('219', '09', '9999')).toBe(true);
    expect(isPublishedSsn('536', '22', '1234')).toBe(false);
  });

  it('refuses a data file with an entry that is not an SSN, naming it', () => {
    expect(() => loadPublishedSsns({ description: 'x', numbers: ['078-05-1120', '0780-5-1120'] })).toThrow(/numbers\.1: an SSN written NNN-NN-NNNN/);
    expect(() => loadPublishedSsns({ numbers: [] })).toThrow(/us-ssn-published\.json/);
  });

  it('redacts 078-05-1120 in a user message', () => {
    const [v] = new PiiDetector().check(new GuardText('My SSN is 078-05-1120.'), { phase: 'input', source: 'message', policy: GuardrailPolicy.parse({}) });
    expect(v).toMatchObject({ decision: 'redact', rule: 'US_SSN', spans: [{ entity: 'US_SSN', start: 10, end: 21 }] });
  });
});
