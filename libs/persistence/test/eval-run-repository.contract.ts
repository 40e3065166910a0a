import { EvalRunPromotionGate, type EvalCaseResult, type EvalRunRepository, type NewEvalRun } from '#persistence';
import { uniqueName } from './contract-helpers.js';

function run(promptName: string, over: Partial<NewEvalRun> = {}): NewEvalRun {
  return {
    promptName,
    promptVersion: 2,
    baselineVersion: 1,
    model: 'sim-1',
    datasetHash: 'a'.repeat(64),
    cases: 2,
    passed: 1,
    errors: 1,
    baselinePassed: 1,
    regressions: 0,
    tolerance: 0,
    assertionPassRates: { contains: { candidate: 0.5, baseline: 0.5 } },
    verdict: 'pass',
    target: 'embedded',
    actor: 'ada',
    ...over,
  };
}

const RESULTS: EvalCaseResult[] = [
  { caseId: 'b-refund', passed: false, errored: true, baselinePassed: false, assertions: [{ type: 'judge', status: 'error', detail: 'the judge answered invalid JSON' }], latencyMs: 12.5, costUsd: null },
  { caseId: 'a-hello', passed: true, errored: false, baselinePassed: true, assertions: [{ type: 'contains', status: 'pass', detail: 'found' }], latencyMs: 3, costUsd: 0.0001 },
];

/** The contract every EvalRunRepository honours, and the promotion gate over it. */
export function describeEvalRunRepositoryContract(name: string, create: () => EvalRunRepository): void {
  describe(`EvalRunRepository contract: ${name}`, () => {
    it('stores a run with its exact versions and results, and lists runs newest first', async () => {
      const repo = create();
      const prompt = uniqueName('evals');
      const first = await repo.save(run(prompt), RESULTS);
      const second = await repo.save(run(prompt, { promptVersion: 3, verdict: 'regression', regressions: 1 }), []);
      expect(first).toMatchObject({ promptName: prompt, promptVersion: 2, baselineVersion: 1, model: 'sim-1', datasetHash: 'a'.repeat(64), verdict: 'pass' });
      expect(first.assertionPassRates).toEqual({ contains: { candidate: 0.5, baseline: 0.5 } });
      expect((await repo.listRuns(prompt)).map((r) => r.id)).toEqual([second.id, first.id]);
      expect((await repo.listRuns(prompt, { version: 2 })).map((r) => r.id)).toEqual([first.id]);
      expect((await repo.listRuns(prompt, { limit: 1 })).map((r) => r.id)).toEqual([second.id]);
      const results = await repo.results(first.id);
      expect(results.map((r) => r.caseId)).toEqual(['a-hello', 'b-refund']);
      expect(results[1]).toEqual(RESULTS[0]);
      expect(await repo.listRuns(uniqueName('none'))).toEqual([]);
    });

    it('the gate refuses a version without a passing run on the current golden set, and allows one after', async () => {
      const repo = create();
      const gate = new EvalRunPromotionGate(repo);
      const prompt = uniqueName('gated');
      expect(await gate.passes(prompt, 2)).toMatchObject({ passed: false, detail: expect.stringMatching(/no eval run/) });
      await repo.save(run(prompt, { verdict: 'regression', regressions: 2 }), []);
      expect(await gate.passes(prompt, 2)).toMatchObject({ passed: false, detail: expect.stringMatching(/2 regression/) });
      await repo.save(run(prompt), []);
      expect((await gate.passes(prompt, 2)).passed).toBe(true);
      expect((await gate.passes(prompt, 3)).passed).toBe(false);
      // The golden set changed (a newer run has another hash): the old pass no longer counts.
      await repo.save(run(prompt, { promptVersion: 1, datasetHash: 'b'.repeat(64) }), []);
      expect(await gate.passes(prompt, 2)).toMatchObject({ passed: false, detail: expect.stringMatching(/older golden set/) });
      expect((await gate.passes(prompt, 1)).passed).toBe(true);
      // A sampled run (eval run --sample) neither passes the gate nor changes which golden set is current.
      await repo.save(run(prompt, { promptVersion: 4, datasetHash: `sample-3-${'c'.repeat(64)}` }), []);
      expect(await gate.passes(prompt, 4)).toMatchObject({ passed: false, detail: expect.stringMatching(/only sampled/) });
      expect((await gate.passes(prompt, 1)).passed).toBe(true);
    });
  });
}
