import { GuardrailPolicy, type GuardrailPolicyInput } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { ConstitutionDetector, isRefusal } from './constitution.detector.js';
import { GroundingDetector } from './grounding.detector.js';

const ctx = (policy: GuardrailPolicyInput, documents?: string[]) => ({
  phase: 'output' as const,
  source: 'completion' as const,
  policy: GuardrailPolicy.parse(policy),
  ...(documents ? { documents } : {}),
});

describe('ConstitutionDetector', () => {
  const detector = new ConstitutionDetector();
  const check = (text: string, constitution: NonNullable<GuardrailPolicyInput['output']>['constitution']) => detector.check(new GuardText(text), ctx({ output: { constitution } }));

  it('blocks answers matching denied patterns or topics', () => {
    expect(check('We guarantee a 100% return on your investment.', { deny: ['guarantee[ds]?\\b.{0,40}\\breturns?'] })[0]).toMatchObject({ decision: 'block', rule: 'pattern:pattern_1' });
    expect(check('Our competitor Acme is cheaper.', { denyTopics: [{ name: 'competitors', keywords: ['acme'] }] })[0]!.rule).toBe('topic:competitors');
    expect(check('Your parcel ships today.', { deny: ['guarantee'] })[0]!.decision).toBe('pass');
  });

  it('detects refusals and acts on them only when the policy says so', () => {
    expect(isRefusal("I'm sorry, but I can't help with that.")).toBe(true);
    expect(isRefusal('As an AI language model, I cannot browse the web.')).toBe(true);
    expect(isRefusal('Sure, here is how to return shoes.')).toBe(false);
    expect(check("I'm sorry, but I can't help with that.", { refusal: 'block' })[0]).toMatchObject({ decision: 'block', rule: 'refusal' });
    expect(check("I'm sorry, but I can't help with that.", {})[0]!.decision).toBe('pass');
  });

  it('asks for a missing disclaimer to be appended, or blocks, when its condition holds', () => {
    const disclaimers = [{ text: 'This is not medical advice.', when: '\\b(?:dose|medication|symptoms?)\\b' }];
    expect(check('Take one dose with water.', { disclaimers })[0]).toMatchObject({ decision: 'redact', rule: 'disclaimer:0' });
    expect(check('Take one dose with water. This is not medical advice.', { disclaimers })[0]!.decision).toBe('pass');
    expect(check('Your parcel ships today.', { disclaimers })[0]!.decision).toBe('pass');
    expect(check('Take one dose.', { disclaimers: [{ ...disclaimers[0]!, action: 'block' }] })[0]!.decision).toBe('block');
  });
});

describe('GroundingDetector', () => {
  const detector = new GroundingDetector();
  const context = ['Orders ship within 2 business days. Returns are accepted within 30 days of delivery with the receipt. Refunds go to the original payment method.'];
  const policy = { output: { grounding: { documents: ['context'], action: 'block' as const } } };

  it('passes an answer whose claims rest on the context', () => {
    const [v] = detector.check(new GuardText('Returns are accepted within 30 days of delivery. Refunds go to the original payment method.'), ctx(policy, context));
    expect(v!.decision).toBe('pass');
  });

  it('flags claims with invented numbers or content the context does not support', () => {
    const [v] = detector.check(new GuardText('Returns are accepted within 90 days. Shipping to Mars costs nothing for premium astronauts.'), ctx(policy, context));
    expect(v).toMatchObject({ decision: 'block', rule: 'unsupported_claims' });
    expect(v!.spans).toHaveLength(2);
  });

  it('only warns by default, and does nothing without a grounding policy', () => {
    const answer = new GuardText('Shipping to Mars costs nothing for premium astronauts.');
    expect(detector.check(answer, ctx({ output: { grounding: { documents: ['context'] } } }, context))[0]).toMatchObject({ decision: 'pass', rule: 'unsupported_claims' });
    expect(detector.check(answer, ctx({}, context))[0]).toEqual({ phase: 'output', decision: 'pass', detector: 'grounding', spans: [] });
  });
});
