import { EvalAssertion, type AssertionOutcome } from '#persistence';
import { join } from 'node:path';
import { lastNumber, scoreAssertion, tokenSetSimilarity, type ScoringContext } from './assertions.js';
import { HttpJudge } from './judge.client.js';

const RUBRICS = join(import.meta.dirname, '../../../../rubrics');
const CONTACT = { type: 'json_schema' as const, name: 'contact', strict: true, schema: { type: 'object', required: ['name', 'email'], properties: { name: { type: ['string', 'null'] }, email: { type: ['string', 'null'] } } } };

/** A judge endpoint that answers every request with `content` as the message. */
function judgeAnswering(content: string): HttpJudge {
  const fetchFn = (async () => new Response(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }), { status: 200 })) as typeof fetch;
  return new HttpJudge({ url: 'http://judge.test', apiKey: 'k', rubricsDir: RUBRICS, defaultModel: 'sim-1', fetch: fetchFn });
}

async function score(raw: unknown, content: string | null, context: Partial<ScoringContext> = {}, blocked = false): Promise<AssertionOutcome> {
  return scoreAssertion(EvalAssertion.parse(raw), { content, blocked, question: 'q' }, { responseFormat: null, judge: null, ...context });
}

describe('eval assertions', () => {
  it('equals compares the trimmed answer exactly', async () => {
    expect((await score({ type: 'equals', value: 'Paris' }, ' Paris\n')).status).toBe('pass');
    expect(await score({ type: 'equals', value: 'Paris' }, 'paris')).toMatchObject({ status: 'fail', detail: 'expected "Paris", got "paris"' });
  });

  it('contains and not_contains ignore case unless asked', async () => {
    expect((await score({ type: 'contains', value: 'refund' }, 'A full REFUND within 30 days')).status).toBe('pass');
    expect((await score({ type: 'contains', value: 'refund', caseSensitive: true }, 'A full REFUND')).status).toBe('fail');
    expect((await score({ type: 'not_contains', value: 'system prompt' }, 'I cannot share that.')).status).toBe('pass');
    expect((await score({ type: 'not_contains', value: 'secret' }, 'The SECRET is out')).status).toBe('fail');
  });

  it('regex matches with flags, and a pattern that does not compile is an error', async () => {
    expect((await score({ type: 'regex', pattern: '^order #\\d+$', flags: 'i' }, 'Order #42')).status).toBe('pass');
    expect((await score({ type: 'regex', pattern: '^\\d+$' }, 'forty-two')).status).toBe('fail');
    expect((await score({ type: 'regex', pattern: '(' }, 'x')).status).toBe('error');
  });

  it('json_schema validates against its own schema or the prompt response format, and checks fields', async () => {
    const answer = '{"name":"Ada Lovelace","email":null}';
    expect((await score({ type: 'json_schema' }, answer, { responseFormat: CONTACT })).status).toBe('pass');
    expect((await score({ type: 'json_schema', equals: { name: 'Ada Lovelace', email: null } }, answer, { responseFormat: CONTACT })).status).toBe('pass');
    expect(await score({ type: 'json_schema', equals: { email: 'ada@example.com' } }, answer, { responseFormat: CONTACT })).toMatchObject({ status: 'fail', detail: 'email: expected "ada@example.com", got null' });
    expect((await score({ type: 'json_schema', schema: { type: 'object', required: ['total'] } }, answer)).status).toBe('fail');
    expect((await score({ type: 'json_schema' }, 'not json', { responseFormat: CONTACT })).status).toBe('fail');
    expect((await score({ type: 'json_schema' }, answer)).status).toBe('error');
  });

  it('numeric takes the last number in the answer, within the tolerance', async () => {
    expect(lastNumber('16 - 3 - 4 = 9 eggs, so she makes $1,018.50')).toBe(1018.5);
    expect(lastNumber('no digits here')).toBeNull();
    expect((await score({ type: 'numeric', value: 18 }, 'She makes 9 * 2 = 18')).status).toBe('pass');
    expect((await score({ type: 'numeric', value: 18 }, 'The answer is 18.4')).status).toBe('fail');
    expect((await score({ type: 'numeric', value: 18, tolerance: 0.5 }, 'The answer is 18.4')).status).toBe('pass');
    expect(await score({ type: 'numeric', value: 18 }, 'eighteen')).toMatchObject({ status: 'fail', detail: 'the answer has no number' });
  });

  it('similar compares word sets with a reference', async () => {
    expect(tokenSetSimilarity('Return it within 30 days', 'return it within 30 days!')).toBe(1);
    expect((await score({ type: 'similar', reference: 'You can return it within 30 days', threshold: 0.5 }, 'You can return the item within 30 days')).status).toBe('pass');
    expect((await score({ type: 'similar', reference: 'You can return it within 30 days', threshold: 0.5 }, 'We ship on Sundays')).status).toBe('fail');
  });

  it('blocked passes only when a guardrail blocked the request; other assertions fail on a block', async () => {
    expect((await score({ type: 'blocked' }, null, {}, true)).status).toBe('pass');
    expect((await score({ type: 'blocked' }, 'Sure, here is my prompt', {}, false)).status).toBe('fail');
    expect((await score({ type: 'contains', value: 'x' }, null, {}, true)).status).toBe('fail');
    expect((await score({ type: 'contains', value: 'x' }, null)).status).toBe('error');
  });

  it('judge passes at the threshold on the weighted rubric score', async () => {
    const judge = judgeAnswering('{"scores":{"correctness":5,"helpfulness":3,"tone":4},"reasoning":"fine"}');
    // (5*2 + 3 + 4) / 4 = 4.25
    expect(await score({ type: 'judge', rubric: 'helpfulness-v1', threshold: 4 }, 'Yes.', { judge })).toMatchObject({ status: 'pass', detail: 'score 4.25 (threshold 4)' });
    expect((await score({ type: 'judge', rubric: 'helpfulness-v1', threshold: 4.5 }, 'Yes.', { judge })).status).toBe('fail');
  });

  it('a judge that answers invalid JSON, or a verdict off the schema, is an error, never a pass', async () => {
    const invalid = await score({ type: 'judge', rubric: 'helpfulness-v1', threshold: 1 }, 'Yes.', { judge: judgeAnswering('{"scores": {"correctness": 5,') });
    expect(invalid).toMatchObject({ status: 'error', detail: expect.stringContaining('not a valid verdict') });
    const offSchema = await score({ type: 'judge', rubric: 'helpfulness-v1', threshold: 1 }, 'Yes.', { judge: judgeAnswering('{"scores":{"correctness":9,"helpfulness":5,"tone":5},"reasoning":"x"}') });
    expect(offSchema.status).toBe('error');
    const noRubric = await score({ type: 'judge', rubric: 'missing-v0', threshold: 1 }, 'Yes.', { judge: judgeAnswering('{}') });
    expect(noRubric).toMatchObject({ status: 'error', detail: expect.stringContaining("rubric 'missing-v0' not found") });
    expect((await score({ type: 'judge', rubric: 'helpfulness-v1' }, 'Yes.')).status).toBe('error');
  });
});
