import type { Verdict } from '#contracts';
import { GuardText } from '../../text/guard-text.js';
import { decisionFor, passVerdict, verdict, type Detector, type DetectorContext } from '../detector.js';
import { ANY_CANARY, findSecretLeak } from './canary.js';

/** The canary hidden in the system prompt showing up in an answer: the prompt leaked. */
export class CanaryDetector implements Detector {
  readonly name = 'canary';
  readonly phases = ['output'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    if (!ctx.canary || !ctx.policy.output.canary) return [passVerdict(ctx.phase, this.name)];
    const leak = findSecretLeak(ctx.canary, text.raw);
    if (leak) {
      return [
        verdict(ctx.phase, this.name, 'block', {
          rule: `canary_${leak.form}`,
          score: 1,
          spans: [{ entity: 'CANARY', start: leak.start, end: leak.end }],
          reason: 'the answer contains the canary token hidden in the system prompt: the prompt leaked',
        }),
      ];
    }
    // Any other request's canary is a leak too: the answer was made under a system prompt that
    // carried it (a redelivered request gets a fresh canary, but its answer may be the first copy's).
    const other = ANY_CANARY.exec(text.raw);
    if (!other) return [passVerdict(ctx.phase, this.name)];
    return [
      verdict(ctx.phase, this.name, 'block', {
        rule: 'canary_other',
        score: 1,
        spans: [{ entity: 'CANARY', start: other.index, end: other.index + other[0].length }],
        reason: 'the answer contains a canary token of a system prompt: the prompt leaked',
      }),
    ];
  }
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Word tokens with their raw offsets, from the folded view. */
function words(text: GuardText): Array<{ w: string; start: number; end: number }> {
  const view = text.folded;
  const out: Array<{ w: string; start: number; end: number }> = [];
  for (const m of view.text.matchAll(WORD)) out.push({ w: m[0], ...view.range(m.index, m.index + m[0].length) });
  return out;
}

/** Long verbatim runs of the system prompt (`leakMinWords` words in a row) in an answer. */
export class SystemPromptLeakDetector implements Detector {
  readonly name = 'system-prompt-leak';
  readonly phases = ['output'] as const;

  check(text: GuardText, ctx: DetectorContext): Verdict[] {
    const action = ctx.policy.output.systemPromptLeak;
    if (action === 'off' || !ctx.systemPrompt) return [passVerdict(ctx.phase, this.name)];
    const n = ctx.policy.output.leakMinWords;
    const prompt = (new GuardText(ctx.systemPrompt).folded.text.match(WORD) ?? []) as string[];
    if (prompt.length < n) return [passVerdict(ctx.phase, this.name)];
    const shingles = new Set<string>();
    for (let i = 0; i + n <= prompt.length; i++) shingles.add(prompt.slice(i, i + n).join(' '));
    const answer = words(text);
    const spans: Array<{ start: number; end: number }> = [];
    let copied = 0;
    for (let i = 0; i + n <= answer.length; i++) {
      if (!shingles.has(answer.slice(i, i + n).map((t) => t.w).join(' '))) continue;
      const start = answer[i]!.start;
      const end = answer[i + n - 1]!.end;
      const last = spans[spans.length - 1];
      if (last && start <= last.end) {
        copied += Math.max(0, end - last.end);
        last.end = Math.max(last.end, end);
      } else {
        copied += end - start;
        spans.push({ start, end });
      }
    }
    if (spans.length === 0) return [passVerdict(ctx.phase, this.name)];
    return [
      verdict(ctx.phase, this.name, decisionFor(action), {
        rule: 'verbatim_system_prompt',
        score: Math.min(1, copied / Math.max(1, ctx.systemPrompt.length)),
        spans: spans.map((s) => ({ entity: 'SYSTEM_PROMPT', ...s })),
        reason: `the answer repeats ${n} or more words of the system prompt verbatim`,
      }),
    ];
  }
}
