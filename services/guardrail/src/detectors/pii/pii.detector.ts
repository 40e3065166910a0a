import type { Span, Verdict } from '#contracts';
import type { PiiAction, PiiEntity, PiiSettings } from '../../policy/guardrail-policy.js';
import type { GuardText } from '../../text/guard-text.js';
import { passVerdict, verdict, type Detector, type DetectorContext, type Phase } from '../detector.js';
import { LexiconRecognizer } from './lexicon.recognizer.js';
import { RulesRecognizer } from './pii.recognizers.js';
import { resolveOverlaps, type LocalSpanRecognizer, type PiiMatch } from './span-recognizer.js';

/** The token a redacted span becomes: `[EMAIL]`, `[CREDIT_CARD]`… */
export function redactionToken(entity: string): string {
  return `[${entity}]`;
}

/**
 * Places and organisations identify a person only together with other data, and redacting every
 * "Paris" would blunt ordinary prompts: unless the policy names them, they are recorded (`warn`).
 */
export const QUASI_IDENTIFIERS: ReadonlySet<PiiEntity> = new Set(['LOCATION', 'ORGANIZATION']);

export function piiActionFor(settings: PiiSettings, entity: PiiEntity): PiiAction {
  const named = settings.entities[entity];
  if (named) return named;
  if (QUASI_IDENTIFIERS.has(entity)) return settings.default === 'allow' ? 'allow' : 'warn';
  return settings.default;
}

let shipped: Readonly<Record<LocalRecognizerName, LocalSpanRecognizer>> | undefined;

type LocalRecognizerName = PiiSettings['recognizers'][number];

/** The in-process recognisers over the shipped lexicon, built once. */
export function defaultRecognizers(): Readonly<Record<LocalRecognizerName, LocalSpanRecognizer>> {
  shipped ??= { rules: new RulesRecognizer(), lexicon: new LexiconRecognizer() };
  return shipped;
}

/** PII in a text from the recognisers a policy names (all in-process ones by default), overlaps resolved by confidence then length. */
export function findPii(text: GuardText, names: readonly LocalRecognizerName[] = ['rules', 'lexicon'], recognizers = defaultRecognizers()): PiiMatch[] {
  return resolveOverlaps(names.flatMap((n) => recognizers[n].recognize(text)));
}

/**
 * PII with character spans from the in-process span recognisers the policy names (`rules`:
 * e-mail, phone numbers, cards (Luhn), IBAN (mod 97), US SSN, national ids with their checksums,
 * passports, driving licences, IP addresses, URLs, street addresses, dates of birth in context,
 * secrets; `lexicon`: person names, places, organisations). One verdict per action the policy gives
 * the entities found: `redact`, `block`, and `warn` (recorded with decision `pass`).
 */
export class PiiDetector implements Detector {
  readonly name = 'pii';
  readonly phases = ['input', 'output'] as const;

  constructor(private readonly recognizers: Readonly<Record<LocalRecognizerName, LocalSpanRecognizer>> = defaultRecognizers()) {}

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const settings = ctx.phase === 'input' ? ctx.policy.input.pii : ctx.policy.output.pii;
    if (settings.default === 'allow' && Object.values(settings.entities).every((a) => a === 'allow')) return [passVerdict(ctx.phase, this.name)];
    return piiVerdicts(ctx.phase, this.name, findPii(text, settings.recognizers, this.recognizers), settings, text.raw);
  }
}

const DEFAULT_SETTINGS: PiiSettings = { default: 'redact', entities: {}, allow: [], recognizers: ['rules', 'lexicon'] };

/**
 * The verdicts for PII found in `raw`, one per action the settings give the entities: `block`,
 * `redact`, and `warn` (recorded with decision `pass`); values on the allow list are skipped.
 * The built-in detector and the HTTP span recognisers both decide here.
 */
export function piiVerdicts(phase: Phase, detector: string, matches: readonly PiiMatch[], settings: PiiSettings = DEFAULT_SETTINGS, raw: string): Verdict[] {
  const allowed = settings.allow.length > 0 ? new Set(settings.allow.map((a) => a.toLowerCase())) : null;
  const groups: Record<'redact' | 'block' | 'warn', PiiMatch[]> = { redact: [], block: [], warn: [] };
  for (const m of matches) {
    const action = piiActionFor(settings, m.entity);
    if (action === 'allow') continue;
    if (allowed?.has(raw.slice(m.start, m.end).toLowerCase())) continue;
    groups[action].push(m);
  }
  const out: Verdict[] = [];
  for (const [action, decision] of [['block', 'block'], ['redact', 'redact'], ['warn', 'pass']] as const) {
    const found = groups[action];
    if (found.length === 0) continue;
    const spans: Span[] = found.map((m) => ({ entity: m.entity, start: m.start, end: m.end }));
    const entities = [...new Set(found.map((m) => m.entity))];
    out.push(
      verdict(phase, detector, decision, {
        rule: entities.join(','),
        score: Math.max(...found.map((m) => m.score)),
        spans,
        reason: `${action === 'warn' ? 'found' : action === 'block' ? 'blocked for' : 'redacted'} ${summarise(found)}`,
      }),
    );
  }
  return out.length > 0 ? out : [passVerdict(phase, detector)];
}

function summarise(found: PiiMatch[]): string {
  const counts = new Map<string, number>();
  for (const m of found) counts.set(m.entity, (counts.get(m.entity) ?? 0) + 1);
  return [...counts].map(([e, n]) => `${n} ${e}`).join(', ');
}
