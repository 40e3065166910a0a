import type { Span, Verdict } from '#contracts';
import type { GuardrailPolicy } from '../policy/guardrail-policy.js';
import type { GuardText } from '../text/guard-text.js';

export type Phase = Verdict['phase'];
export type Decision = Verdict['decision'];

/**
 * What a checked text is: the user's own message, an untrusted document passed in a variable
 * (indirect injection), or the model's answer.
 */
export type TextSource = 'message' | 'document' | 'completion';

export interface DetectorContext {
  phase: Phase;
  source: TextSource;
  policy: GuardrailPolicy;
  /** The canary token hidden in the rendered system prompt (output phase). */
  canary?: string;
  /** The trusted system-prompt text, for verbatim-leak checks (output phase). */
  systemPrompt?: string;
  /** Context documents the answer must be grounded in (output phase, when the policy asks). */
  documents?: string[];
}

/**
 * A deterministic check over one text. Pure: the same text, context and policy always give the
 * same verdicts, and spans point into `text.raw`.
 *
 * @example new PiiDetector().check(new GuardText('mail me: ada@example.org'), ctx)
 *   // [{ phase: 'input', decision: 'redact', detector: 'pii', rule: 'EMAIL', spans: [{ entity: 'EMAIL', start: 9, end: 24 }] }]
 */
export interface Detector {
  readonly name: string;
  readonly phases: readonly Phase[];
  check(text: GuardText, ctx: DetectorContext): Verdict[];
}

const RANK: Record<Decision, number> = { pass: 0, redact: 1, block: 2 };

/** The stricter of two decisions. */
export function stricter(a: Decision, b: Decision): Decision {
  return RANK[b] > RANK[a] ? b : a;
}

export function passVerdict(phase: Phase, detector: string): Verdict {
  return { phase, decision: 'pass', detector, spans: [] };
}

export function verdict(phase: Phase, detector: string, decision: Decision, fields: { rule?: string; score?: number; spans?: Span[]; reason?: string }): Verdict {
  return {
    phase,
    decision,
    detector,
    ...(fields.rule === undefined ? {} : { rule: fields.rule }),
    ...(fields.score === undefined ? {} : { score: Math.round(fields.score * 1000) / 1000 }),
    spans: fields.spans ?? [],
    ...(fields.reason === undefined ? {} : { reason: fields.reason }),
  };
}

/** `block | warn | off` policy actions: `warn` records the finding without acting on it. */
export function decisionFor(action: 'block' | 'warn' | 'off'): Decision {
  return action === 'block' ? 'block' : 'pass';
}
