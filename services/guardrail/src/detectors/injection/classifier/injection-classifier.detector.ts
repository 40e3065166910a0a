import type { Verdict } from '#contracts';
import type { GuardText } from '../../../text/guard-text.js';
import { decisionFor, passVerdict, verdict, type Detector, type DetectorContext } from '../../detector.js';
import { shippedInjectionClassifier, type InjectionClassifier } from './injection-classifier.js';

/**
 * The learned injection and jailbreak classifier as a detector: a calibrated probability against
 * the prompt policy's `injectionClassifier` threshold (`strict | balanced | permissive` or a number).
 * Its action is the milder of `injection` / `indirectInjection` (shared with the rule-based
 * `injection` detector, which stays as a second opinion; each reports its own verdict) and
 * `injectionClassifierAction` (default `warn`: recorded, not blocking).
 */
const STRENGTH = { off: 0, warn: 1, block: 2 } as const;
/** The milder of the injection action and the classifier's own action. */
const weaker = (a: keyof typeof STRENGTH, b: keyof typeof STRENGTH) => (STRENGTH[a] <= STRENGTH[b] ? a : b);

export class InjectionClassifierDetector implements Detector {
  readonly name = 'injection-classifier';
  readonly phases = ['input'] as const;

  /** `classifier` defaults to the shipped weights, read on first use. */
  constructor(private readonly classifier: () => InjectionClassifier = shippedInjectionClassifier) {}

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const indirect = ctx.source === 'document';
    const action = weaker(indirect ? ctx.policy.input.indirectInjection : ctx.policy.input.injection, ctx.policy.input.injectionClassifierAction);
    const setting = ctx.policy.input.injectionClassifier;
    if (action === 'off' || setting === 'off') return [passVerdict(ctx.phase, this.name)];
    const classifier = this.classifier();
    const { probability, window } = classifier.score(text);
    const threshold = classifier.threshold(setting);
    if (probability < threshold) return [{ ...passVerdict(ctx.phase, this.name), score: Math.round(probability * 1000) / 1000 }];
    const span = text.collapsed.range(window.start, window.end);
    const named = typeof setting === 'number' ? 'threshold' : `${setting} threshold`;
    return [
      verdict(ctx.phase, this.name, decisionFor(action), {
        rule: indirect ? 'indirect:classifier' : 'classifier',
        score: probability,
        spans: [{ entity: 'classifier', ...span }],
        reason: `${indirect ? 'a document passed in the request' : 'the input'} reads like a prompt-injection or jailbreak attempt (classifier probability ${probability.toFixed(3)} >= ${named} ${threshold})`,
      }),
    ];
  }
}
