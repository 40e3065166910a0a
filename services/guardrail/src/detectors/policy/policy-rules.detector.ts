import type { Span, Verdict } from '#contracts';
import type { BlockAction, DenyPattern, DenyTopic } from '../../policy/guardrail-policy.js';
import { GuardText } from '../../text/guard-text.js';
import { decisionFor, passVerdict, stricter, verdict, type Decision, type Detector, type DetectorContext } from '../detector.js';
import { identifyLanguage } from './language.js';

interface CompiledRule {
  name: string;
  action: BlockAction;
  /** Matched on the `clean` view (case-insensitive) and on the `collapsed` view. */
  clean: RegExp | null;
  collapsed: RegExp;
}

const compiledTopics = new WeakMap<readonly DenyTopic[], CompiledRule[]>();
const compiledPatterns = new WeakMap<readonly DenyPattern[], CompiledRule[]>();

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Deny topics as whole-word alternations over the normalised keywords (so `b0mb` and `ｂｏｍｂ` match `bomb`). */
export function compileTopics(topics: readonly DenyTopic[]): CompiledRule[] {
  let compiled = compiledTopics.get(topics);
  if (!compiled) {
    compiled = topics.map((t) => {
      const words = t.keywords.map((k) => escape(new GuardText(k).collapsed.text.trim()).replace(/\s+/g, '\\s+')).filter(Boolean);
      return { name: t.name, action: t.action, clean: null, collapsed: new RegExp(`(?<![\\p{L}\\p{N}])(?:${words.join('|')})(?![\\p{L}\\p{N}])`, 'u') };
    });
    compiledTopics.set(topics, compiled);
  }
  return compiled;
}

export function compilePatterns(patterns: readonly DenyPattern[]): CompiledRule[] {
  let compiled = compiledPatterns.get(patterns);
  if (!compiled) {
    compiled = patterns.map((p, i) => ({ name: p.name ?? `pattern_${i + 1}`, action: p.action, clean: new RegExp(p.pattern, 'iu'), collapsed: new RegExp(p.pattern, 'iu') }));
    compiledPatterns.set(patterns, compiled);
  }
  return compiled;
}

/** Runs deny rules; returns the strictest decision, the rules that matched and their spans. */
export function matchRules(text: GuardText, rules: CompiledRule[], kind: 'topic' | 'pattern'): { decision: Decision; rules: string[]; spans: Span[] } {
  let decision: Decision = 'pass';
  const names: string[] = [];
  const spans: Span[] = [];
  for (const rule of rules) {
    if (rule.action === 'off') continue;
    let range: { start: number; end: number } | null = null;
    const m = rule.clean?.exec(text.clean.text);
    if (m) range = text.clean.range(m.index, m.index + m[0].length);
    else {
      const c = rule.collapsed.exec(text.collapsed.text);
      if (c) range = text.collapsed.range(c.index, c.index + c[0].length);
    }
    if (!range) continue;
    decision = stricter(decision, decisionFor(rule.action));
    names.push(`${kind}:${rule.name}`);
    spans.push({ entity: `${kind}:${rule.name}`, ...range });
  }
  return { decision, rules: names, spans };
}

/** Per-prompt input rules: denied topics and patterns, allowed languages. */
export class PolicyRulesDetector implements Detector {
  readonly name = 'policy';
  readonly phases = ['input'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const input = ctx.policy.input;
    const out: Verdict[] = [];
    for (const [rules, kind] of [[compileTopics(input.denyTopics), 'topic'], [compilePatterns(input.denyPatterns), 'pattern']] as const) {
      if (rules.length === 0) continue;
      const found = matchRules(text, rules, kind);
      if (found.rules.length === 0) continue;
      out.push(verdict(ctx.phase, this.name, found.decision, { rule: found.rules.join(','), spans: found.spans, reason: `the input matches the prompt's denied ${kind === 'topic' ? 'topics' : 'patterns'}: ${found.rules.join(', ')}` }));
    }
    if (input.languages.length > 0) {
      const guess = identifyLanguage(text.clean.text);
      if (guess && guess.confidence >= 0.5 && !input.languages.includes(guess.language)) {
        out.push(
          verdict(ctx.phase, this.name, 'block', {
            rule: `language:${guess.language}`,
            score: guess.confidence,
            reason: `the input is in "${guess.language}"; this prompt accepts ${input.languages.join(', ')}`,
          }),
        );
      }
    }
    return out.length > 0 ? out : [passVerdict(ctx.phase, this.name)];
  }
}
