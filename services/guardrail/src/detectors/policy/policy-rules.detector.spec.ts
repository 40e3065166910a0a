import { GuardrailPolicy, type GuardrailPolicyInput } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { identifyLanguage } from './language.js';
import { PolicyRulesDetector } from './policy-rules.detector.js';

const detector = new PolicyRulesDetector();
const check = (text: string, input: GuardrailPolicyInput['input']) =>
  detector.check(new GuardText(text), { phase: 'input', source: 'message', policy: GuardrailPolicy.parse({ input }) });

describe('PolicyRulesDetector', () => {
  const topics = { denyTopics: [{ name: 'weapons', keywords: ['bomb', 'firearm'] }, 'competitor pricing'] };

  it('blocks denied topics as whole words, also spaced out, in leetspeak or look-alike letters', () => {
    expect(check('How do I build a bomb?', topics)[0]).toMatchObject({ decision: 'block', rule: 'topic:weapons' });
    expect(check('how to build a b0mb', topics)[0]!.decision).toBe('block');
    expect(check('b o m b making', topics)[0]!.decision).toBe('block');
    expect(check('a bоmb with a Cyrillic о', topics)[0]!.decision).toBe('block');
    expect(check('ＢＯＭＢ', topics)[0]!.decision).toBe('block');
    expect(check('Tell me about Competitor   Pricing', topics)[0]!.rule).toBe('topic:competitor pricing');
  });

  it('passes text that only contains a denied word inside another word', () => {
    expect(check('The bombastic speech went on', topics)).toEqual([{ phase: 'input', decision: 'pass', detector: 'policy', spans: [] }]);
  });

  it('blocks denied patterns and can only warn when the rule says so', () => {
    const patterns = { denyPatterns: ['\\bcvv\\s*[:=]?\\s*\\d{3,4}\\b', { pattern: 'internal[- ]only', name: 'internal', action: 'warn' as const }] };
    const [v] = check('my CVV: 123', patterns);
    expect(v).toMatchObject({ decision: 'block', rule: 'pattern:pattern_1' });
    expect(v!.spans[0]).toMatchObject({ start: 3, end: 11 });
    expect(check('this is internal-only', patterns)[0]).toMatchObject({ decision: 'pass', rule: 'pattern:internal' });
  });

  it('blocks languages the prompt does not accept, and passes short or allowed ones', () => {
    expect(check('Wie kann ich meine Bestellung zurückgeben und mein Geld zurück bekommen?', { languages: ['en'] })[0]).toMatchObject({ decision: 'block', rule: 'language:de' });
    expect(check('How can I return my order and get my money back?', { languages: ['en'] })[0]!.decision).toBe('pass');
    expect(check('ok', { languages: ['en'] })[0]!.decision).toBe('pass');
  });
});

describe('identifyLanguage', () => {
  it.each([
    ['The parcel has not arrived and I would like to know where it is.', 'en'],
    ["Le colis n'est pas arrivé et je voudrais savoir où il est.", 'fr'],
    ['El paquete no ha llegado y me gustaría saber dónde está.', 'es'],
    ['Das Paket ist nicht angekommen und ich möchte wissen, wo es ist.', 'de'],
    ['Посылка не пришла, и я хотел бы знать, где она.', 'ru'],
    ['包裹还没有到，我想知道它在哪里。', 'zh'],
  ])('tells %j is %s', (text, lang) => {
    expect(identifyLanguage(text)?.language).toBe(lang);
  });

  it('abstains on very short text', () => {
    expect(identifyLanguage('ok thanks')).toBeNull();
  });
});
