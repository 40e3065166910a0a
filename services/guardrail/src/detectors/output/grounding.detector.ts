import type { Span, Verdict } from '#contracts';
import { GuardText } from '../../text/guard-text.js';
import { decisionFor, passVerdict, verdict, type Detector, type DetectorContext } from '../detector.js';

const STOPWORDS = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto over under about as is are was were be been being am do does did done have has had ' +
    'having it its it\'s this that these those there here what which who whom whose when where why how all any both each few more most other some such no nor not only ' +
    'own same so than too very can could will would shall should may might must also just yet still even however therefore thus i you he she we they me him her us them ' +
    'my your his our their mine yours ours theirs one ones get got make made many much well like said says say use used using within without between among per via ' +
    'because while although though since until unless whether either neither again once further up down out off above below after before during through'
  ).split(/\s+/),
);
const HEDGES = /\b(?:i\s+(?:don'?t|do\s+not)\s+know|not\s+(?:sure|certain)|the\s+(?:context|document|text)s?\s+(?:does|do)\s+not|no\s+information|cannot\s+find|isn'?t\s+mentioned|not\s+mentioned)\b/i;
const WORD = /[\p{L}\p{N}]+(?:[.,]\d+)*/gu;

function stem(word: string): string {
  if (word.length <= 4 || /^\d/.test(word)) return word;
  return word.replace(/(?:ies|ied|ing|ings|edly|ed|es|ly|s|ment|ments|ness|ation|ations)$/u, '').slice(0, 7);
}

function contentWords(text: string): string[] {
  return (text.match(WORD) ?? []).filter((w) => (w.length >= 3 || /\d/.test(w)) && !STOPWORDS.has(w));
}

/**
 * A light grounding check for prompts that pass context documents: every sentence of the answer
 * (a claim) needs most of its content words in the context, and every number in it must appear
 * there. It catches invented figures and names, not paraphrased falsehoods.
 */
export class GroundingDetector implements Detector {
  readonly name = 'grounding';
  readonly phases = ['output'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const policy = ctx.policy.output.grounding;
    if (!policy || policy.action === 'off' || !ctx.documents || ctx.documents.length === 0) return [passVerdict(ctx.phase, this.name)];
    const context = new GuardText(ctx.documents.join('\n')).folded.text;
    const vocabulary = new Set(contentWords(context).map(stem));
    const numbers = new Set((context.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replace(/,/g, '')));
    const view = text.folded;
    const unsupported: Span[] = [];
    let claims = 0;
    for (const m of view.text.matchAll(/[^.!?\n]+[.!?]?/g)) {
      const sentence = m[0];
      if (sentence.trim().endsWith('?') || HEDGES.test(sentence)) continue;
      const words = contentWords(sentence);
      if (words.length < 3) continue;
      claims++;
      const supported = words.filter((w) => vocabulary.has(stem(w))).length / words.length;
      const inventedNumber = (sentence.match(/\d+(?:[.,]\d+)*/g) ?? []).some((n) => !numbers.has(n.replace(/,/g, '')));
      if (supported < policy.minSupport || inventedNumber) {
        const lead = sentence.length - sentence.trimStart().length;
        unsupported.push({ entity: 'UNSUPPORTED_CLAIM', ...view.range(m.index + lead, m.index + sentence.trimEnd().length) });
      }
    }
    if (claims === 0 || unsupported.length === 0) return [passVerdict(ctx.phase, this.name)];
    const share = unsupported.length / claims;
    const failing = share > policy.maxUnsupported;
    return [
      verdict(ctx.phase, this.name, failing ? decisionFor(policy.action) : 'pass', {
        rule: 'unsupported_claims',
        score: share,
        spans: unsupported,
        reason: `${unsupported.length} of ${claims} claims in the answer have no support in the context`,
      }),
    ];
  }
}
