import type { PiiEntity } from '../../policy/guardrail-policy.js';
import type { GuardText } from '../../text/guard-text.js';

/** One PII finding: a typed character span of the raw text, with a confidence. */
export interface PiiMatch {
  entity: PiiEntity;
  /** Offsets into the raw text, `start` inclusive, `end` exclusive. */
  start: number;
  end: number;
  /** Confidence 0–1; overlaps are resolved in favour of the higher score. */
  score: number;
}

/**
 * A source of PII spans. The in-process adapters (`rules`, `lexicon`) answer synchronously on the
 * guardrail's text views; an HTTP adapter (a Presidio Analyzer, a GLiNER/NER server) returns a
 * promise, honours `signal` and is time-boxed by the caller. Every adapter keeps the same contract:
 * spans lie inside the text, `start < end`, the entity is one of `PII_ENTITIES`, the score is in 0–1,
 * and the same text gives the same spans.
 */
export interface SpanRecognizer {
  readonly name: string;
  recognize(text: GuardText, signal?: AbortSignal): PiiMatch[] | Promise<PiiMatch[]>;
}

/** An in-process recogniser: cheap enough to run on every text, synchronously. */
export interface LocalSpanRecognizer extends SpanRecognizer {
  recognize(text: GuardText): PiiMatch[];
}

/** Keeps the best of overlapping spans: higher confidence first, then the longer span. */
export function resolveOverlaps(candidates: readonly PiiMatch[]): PiiMatch[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiMatch[] = [];
  // Characters already claimed by a kept span: each overlap test costs the candidate's length, not the number kept.
  const claimed = new Uint8Array(sorted.reduce((end, c) => Math.max(end, c.end), 0));
  for (const c of sorted) {
    if (c.end <= c.start || claimed.subarray(c.start, c.end).includes(1)) continue;
    kept.push(c);
    claimed.fill(1, c.start, c.end);
  }
  return kept.sort((a, b) => a.start - b.start);
}
