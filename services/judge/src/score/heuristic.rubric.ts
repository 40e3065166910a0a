import type { LlmResponse } from '#contracts';

export const HEURISTIC_RUBRIC_VERSION = 'heuristic-v1';

/** What a heuristic score names as its judge model, so nobody reads it as a model's verdict. */
export const HEURISTIC_JUDGE_MODEL = 'heuristic';

const REFUSAL = /\b(i can(?:no|')t (?:help|assist|do that)|i(?: am|'m) (?:not able|unable) to|as an ai(?: language model)?)\b/i;

export interface RubricResult {
  score: number;
  criteria: Record<string, number>;
  rationale: string;
}

/**
 * The rubric used when no judge model is configured. Each criterion is 0..1; the score is their
 * mean. It measures form, not truth: non-empty, not a refusal, a plausible length, and valid
 * structure when a schema was asked for.
 */
export function scoreWithHeuristics(response: LlmResponse): RubricResult {
  const text = response.content ?? '';
  const criteria: Record<string, number> = {
    non_empty: text.trim().length > 0 ? 1 : 0,
    not_refusal: REFUSAL.test(text) ? 0 : 1,
    length: text.length >= 20 && text.length <= 8_000 ? 1 : text.length > 0 ? 0.5 : 0,
    structure: response.parsed !== undefined || !looksLikeJson(text) ? 1 : 0,
  };
  const values = Object.values(criteria);
  const score = values.reduce((a, b) => a + b, 0) / values.length;
  const failed = Object.entries(criteria).filter(([, v]) => v < 1).map(([k]) => k);
  return { score, criteria, rationale: failed.length === 0 ? 'meets every heuristic criterion' : `weak on: ${failed.join(', ')}` };
}

function looksLikeJson(text: string): boolean {
  const t = text.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return false;
  try {
    JSON.parse(t);
    return false;
  } catch {
    return true;
  }
}
