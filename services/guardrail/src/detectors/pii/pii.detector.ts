import type { Span, Verdict } from '#contracts';
import type { PiiAction, PiiEntity, PiiSettings } from '../../policy/guardrail-policy.js';
import type { GuardText } from '../../text/guard-text.js';
import { passVerdict, verdict, type Detector, type DetectorContext } from '../detector.js';
import { findPii, type PiiMatch } from './pii.recognizers.js';

/** The token a redacted span becomes: `[EMAIL]`, `[CREDIT_CARD]`… */
export function redactionToken(entity: string): string {
  return `[${entity}]`;
}

export function piiActionFor(settings: PiiSettings, entity: PiiEntity): PiiAction {
  return settings.entities[entity] ?? settings.default;
}

/**
 * PII with character spans: e-mail, phone numbers, cards (Luhn), IBAN (mod 97), US SSN, IP
 * addresses, URLs, dates of birth in context, API keys and secrets, person names (name lists and context cues).
 * One verdict per action the policy gives the entities found: `redact`, `block`, and `warn`
 * (recorded with decision `pass`).
 */
export class PiiDetector implements Detector {
  readonly name = 'pii';
  readonly phases = ['input', 'output'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const settings = ctx.phase === 'input' ? ctx.policy.input.pii : ctx.policy.output.pii;
    if (settings.default === 'allow' && Object.values(settings.entities).every((a) => a === 'allow')) return [passVerdict(ctx.phase, this.name)];
    const allowed = settings.allow.length > 0 ? new Set(settings.allow.map((a) => a.toLowerCase())) : null;
    const groups: Record<'redact' | 'block' | 'warn', PiiMatch[]> = { redact: [], block: [], warn: [] };
    for (const m of findPii(text)) {
      const action = piiActionFor(settings, m.entity);
      if (action === 'allow') continue;
      if (allowed?.has(text.raw.slice(m.start, m.end).toLowerCase())) continue;
      groups[action].push(m);
    }
    const out: Verdict[] = [];
    for (const [action, decision] of [['block', 'block'], ['redact', 'redact'], ['warn', 'pass']] as const) {
      const found = groups[action];
      if (found.length === 0) continue;
      const spans: Span[] = found.map((m) => ({ entity: m.entity, start: m.start, end: m.end }));
      const entities = [...new Set(found.map((m) => m.entity))];
      out.push(
        verdict(ctx.phase, this.name, decision, {
          rule: entities.join(','),
          score: Math.max(...found.map((m) => m.score)),
          spans,
          reason: `${action === 'warn' ? 'found' : action === 'block' ? 'blocked for' : 'redacted'} ${summarise(found)}`,
        }),
      );
    }
    return out.length > 0 ? out : [passVerdict(ctx.phase, this.name)];
  }
}

function summarise(found: PiiMatch[]): string {
  const counts = new Map<string, number>();
  for (const m of found) counts.set(m.entity, (counts.get(m.entity) ?? 0) + 1);
  return [...counts].map(([e, n]) => `${n} ${e}`).join(', ');
}
