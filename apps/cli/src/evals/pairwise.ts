/** `ballast eval run --pairwise <rubric>`: the candidate's and the baseline's answer to each case, compared by the judge in both orders. */
import type { VersionRun } from './eval-runner.js';
import type { HttpJudge } from './judge.client.js';

export interface PairwiseSummary {
  rubric: string;
  candidateWins: number;
  baselineWins: number;
  /** Ties include the cases where the two orders disagreed (the judge preferred a position). */
  ties: number;
  /** Cases without both answers, or where the judge gave no valid comparison. */
  errors: number;
  cases: { caseId: string; winner: 'candidate' | 'baseline' | 'tie' | 'error'; detail?: string }[];
}

export async function comparePairwise(
  judge: Pick<HttpJudge, 'compare'>,
  rubric: string,
  candidate: VersionRun,
  baseline: VersionRun,
  concurrency: number,
): Promise<PairwiseSummary> {
  const cases: PairwiseSummary['cases'] = new Array(candidate.results.length);
  let next = 0;
  const worker = async () => {
    while (next < candidate.results.length) {
      const i = next++;
      const caseId = candidate.results[i]!.caseId;
      const a = candidate.answers[i];
      const b = baseline.answers[i];
      if (!a?.content || !b?.content) {
        cases[i] = { caseId, winner: 'error', detail: 'both versions must answer to be compared' };
        continue;
      }
      try {
        const winner = await judge.compare(rubric, a.question, a.content, b.content);
        cases[i] = { caseId, winner: winner === 'A' ? 'candidate' : winner === 'B' ? 'baseline' : 'tie' };
      } catch (error) {
        cases[i] = { caseId, winner: 'error', detail: (error as Error).message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cases.length)) }, worker));
  const count = (w: PairwiseSummary['cases'][number]['winner']) => cases.filter((c) => c.winner === w).length;
  return { rubric, candidateWins: count('candidate'), baselineWins: count('baseline'), ties: count('tie'), errors: count('error'), cases };
}
