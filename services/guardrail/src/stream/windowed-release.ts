import type { Span, Verdict } from '#contracts';
import { applyRedactions, shift, type ScanResult } from '../scan/guard-scanner.js';

/** What a step of the windowed check lets out: text that passed (PII the policy redacts already redacted), or a cut. */
export type ReleaseStep = { kind: 'release'; text: string; verdicts: Verdict[] } | { kind: 'cut'; verdict: Verdict };

/**
 * The output guardrail over a growing answer. It holds back the last `windowWords` words and, each
 * time more text could go out, runs the output detectors over everything received (the released
 * text plus the window): a block cuts the stream before the window is released; PII the policy
 * redacts is redacted in the text that goes out, and held back while it reaches into the window.
 * A finding that reaches back into text already released can no longer be redacted, so it cuts.
 */
export class WindowedRelease {
  private raw = '';
  private released = 0;
  private readonly redacted = new Set<string>();

  /**
   * `stepWords`: after the first release, the detectors run again only once this many more words
   * could go out (and at the end), so a long answer is scanned a fraction as often at the cost of
   * coarser chunks; the first release, which makes the time to first token, is never delayed.
   */
  constructor(
    private readonly scan: (text: string) => Promise<ScanResult>,
    private readonly windowWords: number,
    private readonly stepWords = 1,
  ) {}

  /** Characters of the answer released so far (before redaction). */
  get releasedChars(): number {
    return this.released;
  }

  async push(delta: string): Promise<ReleaseStep> {
    this.raw += delta;
    const cut = windowStart(this.raw, this.windowWords);
    if (cut <= this.released || (this.released > 0 && wordsBetween(this.raw, this.released, cut) < this.stepWords)) return { kind: 'release', text: '', verdicts: [] };
    return this.check(cut);
  }

  /** The answer is complete: check it whole and release the rest. */
  end(): Promise<ReleaseStep> {
    return this.check(this.raw.length);
  }

  private async check(cut: number): Promise<ReleaseStep> {
    const result = await this.scan(this.raw);
    const block = result.verdicts.find((v) => v.decision === 'block');
    if (block) return { kind: 'cut', verdict: block };
    const fresh = result.redactions.filter((s) => !this.redacted.has(spanKey(s)));
    let until = cut;
    for (const span of fresh) {
      if (span.start < this.released) return { kind: 'cut', verdict: lateRedaction(span) };
      if (span.start < until && span.end > until) until = span.start;
    }
    const inside = fresh.filter((s) => s.start >= this.released && s.end <= until);
    const text = applyRedactions(this.raw.slice(this.released, until), shift(inside, -this.released));
    for (const span of inside) this.redacted.add(spanKey(span));
    this.released = until;
    return { kind: 'release', text, verdicts: result.verdicts };
  }
}

/** Where the last `words` whitespace-separated words of `text` begin (0 when it has fewer). */
export function windowStart(text: string, words: number): number {
  let i = text.length;
  for (let counted = 0; i > 0; ) {
    while (i > 0 && isSpace(text.charCodeAt(i - 1))) i--;
    if (i === 0) break;
    while (i > 0 && !isSpace(text.charCodeAt(i - 1))) i--;
    if (++counted === words) return i;
  }
  return 0;
}

function wordsBetween(text: string, from: number, to: number): number {
  let words = 0;
  for (let i = from, inWord = false; i < to; i++) {
    const space = isSpace(text.charCodeAt(i));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160 || code === 0x2028 || code === 0x2029;
}

function spanKey(span: Span): string {
  return `${span.start}:${span.end}`;
}

function lateRedaction(span: Span): Verdict {
  return {
    phase: 'output',
    decision: 'block',
    detector: 'pii',
    rule: span.entity,
    spans: [],
    reason: `${span.entity} reaches back into text already released, so it cannot be redacted; the stream was cut (widen output.stream.windowTokens)`,
  };
}
