import { JsonOutputValidator, type ChatMessage, type ResponseFormat } from '#contracts';
import { renderCriteria, RubricVerdict, type Rubric } from './rubric.loader.js';

/**
 * What the judge reads: the question (the last user turn), the answer, and the caller's reference
 * answer when there is one (reference-guided grading). The eval harness and the judge service build
 * their judge prompts here, so a rubric reads the same wherever it is used.
 */
export interface JudgeSubject {
  input?: string | undefined;
  answer: string;
  reference?: string | undefined;
}

const REFERENCE_NOTE = '\n\nA reference answer is given. Treat it as correct: judge the answer against it, not against what you believe.';

/** The judge's messages for grading one answer with a rubric. */
export function judgeMessages(rubric: Rubric, subject: JudgeSubject): ChatMessage[] {
  const system = rubric.judgePrompt.replace('{{criteria}}', renderCriteria(rubric)) + (subject.reference === undefined ? '' : REFERENCE_NOTE);
  const parts = [`Question:\n${subject.input ?? '(not given)'}`];
  if (subject.reference !== undefined) parts.push(`Reference answer:\n${subject.reference}`);
  parts.push(`Answer to judge:\n${subject.answer}`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The verdict of a pairwise comparison: which of the two answers, as shown, is better. */
export const PAIRWISE_VERDICT_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['winner', 'reasoning'],
  properties: { winner: { type: 'string', enum: ['first', 'second', 'tie'] }, reasoning: { type: 'string' } },
};

const DEFAULT_PAIRWISE_PROMPT = `You compare two answers to the same question. Decide which answer is better on the criteria below, taken together; answer "tie" when neither is clearly better. The order of the answers means nothing. Do not reward length.

{{criteria}}

Reply with JSON only: {"winner": "first" | "second" | "tie", "reasoning": "<one or two sentences>"}.`;

/** The judge's messages for comparing two answers, in the order given. */
export function pairwiseMessages(rubric: Rubric, subject: { input?: string | undefined; reference?: string | undefined; first: string; second: string }): ChatMessage[] {
  const system = (rubric.pairwisePrompt ?? DEFAULT_PAIRWISE_PROMPT).replace('{{criteria}}', renderCriteria(rubric)) + (subject.reference === undefined ? '' : REFERENCE_NOTE);
  const parts = [`Question:\n${subject.input ?? '(not given)'}`];
  if (subject.reference !== undefined) parts.push(`Reference answer:\n${subject.reference}`);
  parts.push(`First answer:\n${subject.first}`, `Second answer:\n${subject.second}`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The response format to ask a provider for (its JSON Schema mode), for a rubric's verdict or a comparison. */
export function verdictFormat(schema: Record<string, unknown>, name = 'verdict'): ResponseFormat {
  return { type: 'json_schema', name, schema, strict: true };
}

const validator = new JsonOutputValidator();

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * The judge's answer as a verdict: JSON that matches the rubric's verdict schema, with a 1-5 score for
 * every criterion. Anything else is a reason, never a score.
 */
export function parseVerdict(rubric: Rubric, content: string): Parsed<RubricVerdict> {
  const checked = validator.validate(content, verdictFormat(rubric.verdictSchema), { repair: false });
  if (!checked.ok) return { ok: false, reason: `the judge's answer is not a valid verdict: ${checked.errors[0]}` };
  const verdict = RubricVerdict.safeParse(checked.parsed);
  if (!verdict.success) return { ok: false, reason: `the judge's verdict has no 1-5 scores: ${verdict.error.issues[0]?.message}` };
  const missing = rubric.criteria.find((c) => verdict.data.scores[c.name] === undefined);
  if (missing) return { ok: false, reason: `the judge's verdict has no score for '${missing.name}'` };
  return { ok: true, value: verdict.data };
}

export type PairwiseChoice = 'first' | 'second' | 'tie';

export function parsePairwiseVerdict(content: string): Parsed<{ winner: PairwiseChoice; reasoning: string }> {
  const checked = validator.validate(content, verdictFormat(PAIRWISE_VERDICT_SCHEMA, 'comparison'), { repair: false });
  if (!checked.ok) return { ok: false, reason: `the judge's answer is not a valid comparison: ${checked.errors[0]}` };
  return { ok: true, value: checked.parsed as { winner: PairwiseChoice; reasoning: string } };
}

/**
 * The outcome of asking in both orders: answer A was `first` in the first ask and `second` in the
 * other. A judge that prefers a position contradicts itself across the orders, and that is a tie.
 */
export function pairwiseOutcome(aFirst: PairwiseChoice, bFirst: PairwiseChoice): 'A' | 'B' | 'tie' {
  const first = aFirst === 'first' ? 'A' : aFirst === 'second' ? 'B' : 'tie';
  const second = bFirst === 'first' ? 'B' : bFirst === 'second' ? 'A' : 'tie';
  return first === second ? first : 'tie';
}

/**
 * Self-consistency: one score per criterion from several verdicts. `median` (may fall on a half) or
 * `majority` (the most frequent score; a tie between scores goes to the lower one, the cautious side).
 * The rationale kept is that of the first verdict that gave the aggregated score, if any.
 */
export function aggregateVerdicts(rubric: Rubric, verdicts: readonly RubricVerdict[], how: 'median' | 'majority'): RubricVerdict {
  if (verdicts.length === 1) return verdicts[0]!;
  const scores: Record<string, number> = {};
  const rationales: Record<string, string> = {};
  for (const c of rubric.criteria) {
    const values = verdicts.map((v) => v.scores[c.name]!).sort((a, b) => a - b);
    scores[c.name] = how === 'median' ? median(values) : majority(values);
    const source = verdicts.find((v) => v.scores[c.name] === Math.round(scores[c.name]!) && v.rationales?.[c.name]);
    if (source) rationales[c.name] = source.rationales![c.name]!;
  }
  const reasoning = verdicts.find((v) => v.reasoning)?.reasoning;
  return { scores, ...(Object.keys(rationales).length > 0 ? { rationales } : {}), ...(reasoning ? { reasoning } : {}) };
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function majority(sorted: readonly number[]): number {
  let best = sorted[0]!;
  let bestCount = 0;
  for (const value of new Set(sorted)) {
    const count = sorted.filter((v) => v === value).length;
    if (count > bestCount) [best, bestCount] = [value, count];
  }
  return best;
}
