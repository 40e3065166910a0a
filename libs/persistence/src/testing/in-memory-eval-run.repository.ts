import { randomUUID } from 'node:crypto';
import type { EvalCaseResult, EvalRun, EvalRunRepository, NewEvalRun } from '../evals/eval-run.repository.js';

/** Eval runs in memory, for unit tests; the same contract suite as `TypeormEvalRunRepository`. */
export class InMemoryEvalRunRepository implements EvalRunRepository {
  private readonly runs: { run: EvalRun; seq: number; results: EvalCaseResult[] }[] = [];

  async save(run: NewEvalRun, results: readonly EvalCaseResult[]): Promise<EvalRun> {
    const stored: EvalRun = structuredClone({ ...run, id: randomUUID(), createdAt: new Date() });
    this.runs.push({ run: stored, seq: this.runs.length, results: structuredClone([...results]) });
    return structuredClone(stored);
  }

  async listRuns(promptName: string, options: { version?: number; limit?: number } = {}): Promise<EvalRun[]> {
    return this.runs
      .filter(({ run }) => run.promptName === promptName && (options.version === undefined || run.promptVersion === options.version))
      .sort((a, b) => b.run.createdAt.getTime() - a.run.createdAt.getTime() || b.seq - a.seq)
      .slice(0, options.limit ?? Number.POSITIVE_INFINITY)
      .map(({ run }) => structuredClone(run));
  }

  async results(runId: string): Promise<EvalCaseResult[]> {
    const found = this.runs.find(({ run }) => run.id === runId);
    return found ? structuredClone(found.results).sort((a, b) => a.caseId.localeCompare(b.caseId)) : [];
  }
}
