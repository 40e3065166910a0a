import type { Verdict } from '#contracts';
import type { GuardText } from '../../text/guard-text.js';
import { decisionFor, passVerdict, verdict, type Detector, type DetectorContext } from '../detector.js';
import { compilePatterns, compileTopics, matchRules } from '../policy/policy-rules.detector.js';

const REFUSALS: readonly RegExp[] = [
  /^[\s"'*]{0,3}(?:i'?m\s+(?:really\s+|very\s+|so\s+)?sorry|i\s+apologi[sz]e|sorry|unfortunately|apologies)\b[^.!?\n]{0,120}?\b(?:can(?:'|no)?t|cannot|unable|not\s+able|won'?t|will\s+not|must\s+decline|not\s+(?:allowed|permitted|possible))\b/i,
  /\b(?:i|we)\s+(?:can(?:'|no)?t|cannot|am\s+unable\s+to|are\s+unable\s+to|won'?t|will\s+not|am\s+not\s+able\s+to|must\s+(?:decline|refuse)\s+to|(?:have\s+to|must)\s+decline)\s+(?:help|assist|provide|comply|fulfil+|do\s+that|answer|share|support|engage|generate|create|write|produce|give|disclose|discuss)\b/i,
  /\bas\s+an?\s+(?:ai|ai\s+language\s+model|language\s+model|ai\s+assistant)\b[^.!?\n]{0,80}?\b(?:can(?:'|no)?t|cannot|unable|don'?t|do\s+not|am\s+not)\b/i,
  /\b(?:this|that|your)\s+request\s+(?:goes\s+against|violates|is\s+against)\b/i,
];

const compiled = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(source, (re = new RegExp(source, 'iu')));
  }
  return re;
}

/** Whether an answer opens with a refusal ("I'm sorry, but I can't help with that"). */
export function isRefusal(text: string): boolean {
  const head = text.length > 400 ? text.slice(0, 400) : text;
  return REFUSALS.some((re) => re.test(head));
}

/**
 * The prompt's small constitution for answers: denied patterns and topics, refusals, and
 * disclaimers that must be there (appended when missing, or blocking when the policy says so).
 */
export class ConstitutionDetector implements Detector {
  readonly name = 'constitution';
  readonly phases = ['output'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const rules = ctx.policy.output.constitution;
    const out: Verdict[] = [];
    for (const [compiled, kind] of [[compilePatterns(rules.deny), 'pattern'], [compileTopics(rules.denyTopics), 'topic']] as const) {
      if (compiled.length === 0) continue;
      const found = matchRules(text, compiled, kind);
      if (found.rules.length === 0) continue;
      out.push(verdict(ctx.phase, this.name, found.decision, { rule: found.rules.join(','), spans: found.spans, reason: `the answer breaks the prompt's rules: ${found.rules.join(', ')}` }));
    }
    if (rules.refusal !== 'allow' && isRefusal(text.raw)) {
      out.push(verdict(ctx.phase, this.name, decisionFor(rules.refusal === 'block' ? 'block' : 'warn'), { rule: 'refusal', reason: 'the model refused to answer' }));
    }
    rules.disclaimers.forEach((d, i) => {
      if (d.when && !pattern(d.when).test(text.clean.text)) return;
      const present = d.present ? pattern(d.present).test(text.clean.text) : text.clean.text.toLowerCase().includes(d.text.toLowerCase());
      if (present) return;
      out.push(
        verdict(ctx.phase, this.name, d.action === 'block' ? 'block' : 'redact', {
          rule: `disclaimer:${i}`,
          reason: d.action === 'block' ? 'the answer lacks a required disclaimer' : 'appended a required disclaimer',
        }),
      );
    });
    return out.length > 0 ? out : [passVerdict(ctx.phase, this.name)];
  }
}
