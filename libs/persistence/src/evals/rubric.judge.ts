import { ERROR_CODES, type ChatMessage, type ResponseFormat } from '#contracts';
import type { JudgeAsk, JudgeCallUsage, JudgeModel } from './judge-model.js';
import {
  aggregateVerdicts,
  judgeMessages,
  PAIRWISE_VERDICT_SCHEMA,
  pairwiseMessages,
  pairwiseOutcome,
  parsePairwiseVerdict,
  parseVerdict,
  verdictFormat,
  type JudgeSubject,
  type Parsed,
} from './rubric.judging.js';
import type { Rubric, RubricVerdict } from './rubric.loader.js';

export interface JudgeSettings {
  /** Asks per verdict when the answer is not a valid verdict (the first ask included). */
  verdictAttempts: number;
}

export interface JudgeContext {
  model: string;
  deadline: number;
  meta: JudgeAsk['meta'];
}

/** A judgement that could not be made: recorded as a judge error, never as a score. */
export interface JudgeFailure {
  ok: false;
  code: string;
  message: string;
  calls: JudgeCallUsage[];
}

export type Graded = { ok: true; verdict: RubricVerdict; samples: number; calls: JudgeCallUsage[] } | JudgeFailure;
export type Compared = { ok: true; winner: 'A' | 'B' | 'tie'; orders: { aFirst: string; bFirst: string }; calls: JudgeCallUsage[] } | JudgeFailure;

/**
 * Grades with a rubric through a judge model (the judge service's provider calls, or the eval
 * harness's HTTP endpoint). An answer that is not a valid verdict is asked again
 * (up to `verdictAttempts`), then the judgement fails with `ballast.judge.invalid_verdict`; a model
 * that cannot be reached fails it with `ballast.judge.unavailable`. No score is ever made up.
 */
export class RubricJudge {
  constructor(
    private readonly model: JudgeModel,
    private readonly settings: JudgeSettings,
  ) {}

  /** Single-answer grading, reference-guided when the subject has a reference; `samples` > 1 for self-consistency. */
  async grade(rubric: Rubric, subject: JudgeSubject, context: JudgeContext, consistency: { samples: number; aggregate: 'median' | 'majority' } = { samples: 1, aggregate: 'median' }): Promise<Graded> {
    const calls: JudgeCallUsage[] = [];
    const verdicts: RubricVerdict[] = [];
    const messages = judgeMessages(rubric, subject);
    for (let sample = 0; sample < consistency.samples; sample++) {
      const got = await this.askValid(messages, verdictFormat(rubric.verdictSchema), (content) => parseVerdict(rubric, content), context, sample, calls);
      if (!got.ok) return got;
      verdicts.push(got.value);
    }
    return { ok: true, verdict: aggregateVerdicts(rubric, verdicts, consistency.aggregate), samples: verdicts.length, calls };
  }

  /**
   * Pairwise comparison of two answers (two prompt versions) to the same question, asked in both
   * orders; when the orders disagree the result is a tie (the judge preferred a position, not an answer).
   */
  async compare(rubric: Rubric, subject: { input?: string; reference?: string; a: string; b: string }, context: JudgeContext): Promise<Compared> {
    const calls: JudgeCallUsage[] = [];
    const format = verdictFormat(PAIRWISE_VERDICT_SCHEMA, 'comparison');
    const base = { ...(subject.input !== undefined ? { input: subject.input } : {}), ...(subject.reference !== undefined ? { reference: subject.reference } : {}) };
    const aFirst = await this.askValid(pairwiseMessages(rubric, { ...base, first: subject.a, second: subject.b }), format, parsePairwiseVerdict, context, 0, calls);
    if (!aFirst.ok) return aFirst;
    const bFirst = await this.askValid(pairwiseMessages(rubric, { ...base, first: subject.b, second: subject.a }), format, parsePairwiseVerdict, context, 0, calls);
    if (!bFirst.ok) return bFirst;
    return { ok: true, winner: pairwiseOutcome(aFirst.value.winner, bFirst.value.winner), orders: { aFirst: aFirst.value.winner, bFirst: bFirst.value.winner }, calls };
  }

  private async askValid<T>(
    messages: ChatMessage[],
    format: ResponseFormat,
    parse: (content: string) => Parsed<T>,
    context: JudgeContext,
    sample: number,
    calls: JudgeCallUsage[],
  ): Promise<{ ok: true; value: T } | JudgeFailure> {
    let reason = '';
    for (let attempt = 1; attempt <= this.settings.verdictAttempts; attempt++) {
      const reply = await this.model.ask({ model: context.model, messages, format, deadline: context.deadline, sample, meta: context.meta });
      calls.push(...reply.calls);
      if (!reply.ok) return { ok: false, code: ERROR_CODES.judgeUnavailable, message: `the judge model could not answer: ${reply.message}`, calls };
      const parsed = parse(reply.content);
      if (parsed.ok) return parsed;
      reason = parsed.reason;
    }
    const asked = this.settings.verdictAttempts;
    return { ok: false, code: ERROR_CODES.judgeInvalidVerdict, message: `${reason} (asked ${asked} time${asked === 1 ? '' : 's'})`, calls };
  }
}
