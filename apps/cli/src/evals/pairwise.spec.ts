import { join } from 'node:path';
import type { VersionRun } from './eval-runner.js';
import { HttpJudge } from './judge.client.js';
import { comparePairwise } from './pairwise.js';

const RUBRICS = join(import.meta.dirname, '../../../../rubrics');

/** A judge endpoint that picks `first`, `second` or `tie` from the two answers it was shown, in the order shown. */
function judgeChoosing(choose: (first: string, second: string) => 'first' | 'second' | 'tie'): HttpJudge {
  const fetchFn = (async (_url: string, init: { body: string }) => {
    const user = (JSON.parse(init.body) as { messages: { content: string }[] }).messages[1]!.content;
    const first = user.split('First answer:\n')[1]!.split('\n\nSecond answer:')[0]!;
    const second = user.split('Second answer:\n')[1]!;
    return new Response(JSON.stringify({ choices: [{ message: { role: 'assistant', content: JSON.stringify({ winner: choose(first, second), reasoning: 'r' }) } }] }), { status: 200 });
  }) as unknown as typeof fetch;
  return new HttpJudge({ url: 'http://judge.test', apiKey: 'k', rubricsDir: RUBRICS, defaultModel: 'sim-1', fetch: fetchFn });
}

function run(version: number, contents: (string | null)[]): VersionRun {
  return {
    version,
    models: ['sim-1'],
    results: contents.map((_, i) => ({ caseId: `c${i}`, passed: true, errored: false, baselinePassed: null, assertions: [], latencyMs: 1, costUsd: 0 })),
    answers: contents.map((content, i) => ({ question: `question ${i}`, content })),
  };
}

describe('eval run --pairwise', () => {
  const candidate = run(3, ['v3: tracking link sent', 'v3: refund in 30 days', null]);
  const baseline = run(2, ['v2: no idea', 'v2: refund in 30 days, with a label', 'v2: hello']);

  it('counts only position-bias ties for a judge that always prefers the first answer shown', async () => {
    const summary = await comparePairwise(judgeChoosing(() => 'first'), 'helpfulness-v1', candidate, baseline, 2);
    expect(summary).toMatchObject({ candidateWins: 0, baselineWins: 0, ties: 2, errors: 1 });
    expect(summary.cases[2]).toMatchObject({ caseId: 'c2', winner: 'error', detail: 'both versions must answer to be compared' });
  });

  it('gives the win to the answer the judge prefers in both orders', async () => {
    const longer = judgeChoosing((first, second) => (first.length > second.length ? 'first' : 'second'));
    const summary = await comparePairwise(longer, 'helpfulness-v1', candidate, baseline, 2);
    expect(summary.cases.map((c) => c.winner)).toEqual(['candidate', 'baseline', 'error']);
  });
});
