import { join } from 'node:path';
import { ERROR_CODES } from '#contracts';
import { InstantClock, PRICE_TABLE, ProviderCallError, ScriptedProvider, type ProviderRequest } from '#models';
import { loadRubric, RubricJudge, type Rubric } from '#persistence';
import { ProviderJudgeModel } from './provider.judge-model.js';

const RUBRICS = join(import.meta.dirname, '../../../../rubrics');
const verdict = (correctness: number, helpfulness: number, tone: number) =>
  JSON.stringify({ scores: { correctness, helpfulness, tone }, rationales: { correctness: 'checked against policy' }, reasoning: 'fine' });

/** The judge through the real resilient caller, with a scripted provider as its model. */
function judgeWith(steps: ConstructorParameters<typeof ScriptedProvider>[2], attempts = 2) {
  const provider = new ScriptedProvider('scripted', ['judge-1'], steps);
  const model = new ProviderJudgeModel({ providers: [provider], prices: PRICE_TABLE, clock: new InstantClock(), retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
  return { provider, judge: new RubricJudge(model, { verdictAttempts: attempts }) };
}
const context = { model: 'judge-1', deadline: Date.now() + 60_000, meta: { requestId: 'r-1', tenantId: 'acme' } };

describe('RubricJudge', () => {
  let rubric: Rubric;
  beforeAll(async () => {
    rubric = await loadRubric(RUBRICS, 'helpfulness-v1');
  });

  it('grades one answer with the rubric and keeps the per-criterion rationale', async () => {
    const { judge, provider } = judgeWith([{ content: verdict(4, 5, 3) }]);
    const graded = await judge.grade(rubric, { input: 'Where is my parcel?', answer: 'It ships tomorrow.' }, context);
    expect(graded).toMatchObject({ ok: true, samples: 1, verdict: { scores: { correctness: 4, helpfulness: 5, tone: 3 }, rationales: { correctness: 'checked against policy' } } });
    expect(provider.requests[0]!.responseFormat?.schema).toEqual(rubric.verdictSchema);
    expect(provider.requests[0]!.messages[1]!.content).not.toContain('Reference answer');
  });

  it('grades against the reference answer when the request carries one', async () => {
    const { judge, provider } = judgeWith([{ content: verdict(2, 3, 4) }]);
    await judge.grade(rubric, { input: 'Refund window?', answer: '60 days', reference: '30 days from delivery' }, context);
    expect(provider.requests[0]!.messages[0]!.content).toMatch(/reference answer is given/i);
    expect(provider.requests[0]!.messages[1]!.content).toContain('Reference answer:\n30 days from delivery');
  });

  it('asks again after an invalid verdict, and records a judge error after the last attempt — never a score', async () => {
    const recovered = judgeWith([{ content: 'not json at all' }, { content: verdict(5, 5, 5) }]);
    expect(await recovered.judge.grade(rubric, { answer: 'a' }, context)).toMatchObject({ ok: true, verdict: { scores: { tone: 5 } } });
    expect(recovered.provider.requests).toHaveLength(2);

    const missingCriterion = judgeWith([{ content: JSON.stringify({ scores: { correctness: 4, helpfulness: 4 }, reasoning: 'no tone' }) }]);
    const failed = await missingCriterion.judge.grade(rubric, { answer: 'a' }, context);
    expect(failed).toMatchObject({ ok: false, code: ERROR_CODES.judgeInvalidVerdict });
    expect(failed.ok ? null : failed.message).toMatch(/tone.*\(asked 2 times\)/);
    expect(failed.calls).toHaveLength(2);
    expect('verdict' in failed).toBe(false);

    const outOfScale = judgeWith([{ content: verdict(7, 4, 4) }], 1);
    expect(await outOfScale.judge.grade(rubric, { answer: 'a' }, context)).toMatchObject({ ok: false, code: ERROR_CODES.judgeInvalidVerdict });
  });

  it('reports an unreachable judge model as ballast.judge.unavailable after the caller gave up', async () => {
    const { judge, provider } = judgeWith([new ProviderCallError('http', 'overloaded', { status: 503 })]);
    const failed = await judge.grade(rubric, { answer: 'a' }, context);
    expect(failed).toMatchObject({ ok: false, code: ERROR_CODES.judgeUnavailable });
    expect(provider.requests).toHaveLength(2); // the resilient caller retried the 503 once (maxAttempts 2)
    expect(failed.calls.every((c) => !c.ok)).toBe(true);
  });

  it('self-consistency: n samples aggregated by median, or by majority (ties to the lower score)', async () => {
    const steps = [{ content: verdict(2, 5, 3) }, { content: verdict(4, 5, 3) }, { content: verdict(5, 4, 4) }];
    const median = await judgeWith(steps).judge.grade(rubric, { answer: 'a' }, context, { samples: 3, aggregate: 'median' });
    expect(median).toMatchObject({ ok: true, samples: 3, verdict: { scores: { correctness: 4, helpfulness: 5, tone: 3 } } });
    const majority = await judgeWith(steps).judge.grade(rubric, { answer: 'a' }, context, { samples: 3, aggregate: 'majority' });
    expect(majority).toMatchObject({ ok: true, verdict: { scores: { correctness: 2, helpfulness: 5, tone: 3 } } });
  });

  describe('pairwise comparison of two prompt versions', () => {
    const answers = { input: 'Where is my parcel?', a: 'Version 2: it ships tomorrow, here is the tracking link.', b: 'Version 1: no idea.' };
    const winnerBy = (pick: (request: ProviderRequest) => 'first' | 'second' | 'tie') => async (request: ProviderRequest) => ({ content: JSON.stringify({ winner: pick(request), reasoning: 'r' }) });

    it('asks in both orders and records a tie when a judge always prefers the first answer (position bias)', async () => {
      const { judge, provider } = judgeWith([winnerBy(() => 'first')]);
      const compared = await judge.compare(rubric, answers, context);
      expect(compared).toMatchObject({ ok: true, winner: 'tie', orders: { aFirst: 'first', bFirst: 'first' } });
      expect(provider.requests).toHaveLength(2);
      expect(provider.requests[0]!.messages[1]!.content.indexOf(answers.a)).toBeLessThan(provider.requests[0]!.messages[1]!.content.indexOf(answers.b));
      expect(provider.requests[1]!.messages[1]!.content.indexOf(answers.b)).toBeLessThan(provider.requests[1]!.messages[1]!.content.indexOf(answers.a));
    });

    it('records a win when the judge prefers the same answer in both orders', async () => {
      const prefersTracking = winnerBy((r) => {
        const text = r.messages[1]!.content;
        return text.indexOf('tracking') < text.indexOf('no idea') ? 'first' : 'second';
      });
      expect(await judgeWith([prefersTracking]).judge.compare(rubric, answers, context)).toMatchObject({ ok: true, winner: 'A' });
      expect(await judgeWith([prefersTracking]).judge.compare(rubric, { ...answers, a: answers.b, b: answers.a }, context)).toMatchObject({ ok: true, winner: 'B' });
    });

    it('turns an unparsable comparison into a judge error after the retry', async () => {
      const compared = await judgeWith([{ content: '{"winner": "left"}' }]).judge.compare(rubric, answers, context);
      expect(compared).toMatchObject({ ok: false, code: ERROR_CODES.judgeInvalidVerdict });
    });
  });
});
