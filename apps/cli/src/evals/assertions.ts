/**
 * Scores one answer against a golden case's assertions. An assertion that cannot be scored (a
 * judge that answers invalid JSON, a bad regex) is an `error`, never a pass.
 */
import { JsonOutputValidator, type ResponseFormat } from '#contracts';
import type { AssertionOutcome, EvalAssertion } from '#persistence';
import type { Judge } from './judge.client.js';

export interface AnswerUnderTest {
  /** The answer's text; null when the pipeline gave none (blocked or failed). */
  content: string | null;
  /** A guardrail blocked the request (`content` is null then). */
  blocked: boolean;
  /** What was asked, for the judge. */
  question: string;
}

export interface ScoringContext {
  /** The prompt version's structured-output contract, for `json_schema` without its own schema. */
  responseFormat: ResponseFormat | null;
  judge: Judge | null;
}

const validator = new JsonOutputValidator();

export async function scoreAssertion(assertion: EvalAssertion, answer: AnswerUnderTest, context: ScoringContext): Promise<AssertionOutcome> {
  const verdict = (passed: boolean, detail: string): AssertionOutcome => ({ type: assertion.type, status: passed ? 'pass' : 'fail', detail });
  const error = (detail: string): AssertionOutcome => ({ type: assertion.type, status: 'error', detail });
  if (assertion.type === 'blocked') return verdict(answer.blocked, answer.blocked ? 'blocked' : 'answered, not blocked');
  if (answer.blocked) return verdict(false, 'the request was blocked');
  if (answer.content === null) return error('no answer to score');
  const text = answer.content;
  switch (assertion.type) {
    case 'equals': {
      const got = assertion.trim ? text.trim() : text;
      return verdict(got === assertion.value, got === assertion.value ? 'equal' : `expected ${quote(assertion.value)}, got ${quote(got)}`);
    }
    case 'contains':
    case 'not_contains': {
      const found = fold(text, assertion.caseSensitive).includes(fold(assertion.value, assertion.caseSensitive));
      const want = assertion.type === 'contains';
      return verdict(found === want, `${quote(assertion.value)} ${found ? 'found' : 'not found'}`);
    }
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(assertion.pattern, assertion.flags);
      } catch (e) {
        return error(`the pattern does not compile: ${(e as Error).message}`);
      }
      const ok = re.test(text);
      return verdict(ok, `/${assertion.pattern}/${assertion.flags} ${ok ? 'matches' : 'does not match'}`);
    }
    case 'json_schema': {
      const schema = assertion.schema ?? context.responseFormat?.schema;
      if (!schema) return error('no schema: give one, or evaluate a prompt with a responseFormat');
      const result = validator.validate(text, { type: 'json_schema', name: 'expected', schema, strict: true }, { repair: false });
      if (!result.ok) return verdict(false, result.errors.join('; '));
      for (const [field, want] of Object.entries(assertion.equals ?? {})) {
        const got = (result.parsed as Record<string, unknown>)[field];
        if (JSON.stringify(got) !== JSON.stringify(want)) return verdict(false, `${field}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      }
      return verdict(true, 'valid');
    }
    case 'numeric': {
      const got = lastNumber(text);
      if (got === null) return verdict(false, 'the answer has no number');
      const ok = Math.abs(got - assertion.value) <= assertion.tolerance;
      return verdict(ok, `last number ${got}, expected ${assertion.value}${assertion.tolerance ? ` ± ${assertion.tolerance}` : ''}`);
    }
    case 'similar': {
      const similarity = tokenSetSimilarity(text, assertion.reference);
      return verdict(similarity >= assertion.threshold, `similarity ${similarity.toFixed(2)} (threshold ${assertion.threshold})`);
    }
    case 'judge': {
      if (!context.judge) return error('no judge configured');
      try {
        const score = await context.judge.score(assertion.rubric, answer.question, text);
        return verdict(score >= assertion.threshold, `score ${score.toFixed(2)} (threshold ${assertion.threshold})`);
      } catch (e) {
        return error((e as Error).message);
      }
    }
  }
}

/** The last number in the text (`1,234.5` counts as 1234.5), or null. */
export function lastNumber(text: string): number | null {
  const all = text.match(/-?\d[\d,]*(?:\.\d+)?|-?\.\d+/g);
  if (!all) return null;
  const n = Number(all.at(-1)!.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** Jaccard similarity (0-1) of the two texts' lower-cased word sets. */
export function tokenSetSimilarity(a: string, b: string): number {
  const words = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const x = words(a);
  const y = words(b);
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared);
}

const fold = (s: string, caseSensitive: boolean) => (caseSensitive ? s : s.toLowerCase());
const quote = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
