/** One assertion's outcome on one case: `error` means it could not be scored (never a pass). */
export interface AssertionOutcome {
  type: string;
  status: 'pass' | 'fail' | 'error';
  detail: string;
}

export interface EvalCaseResult {
  caseId: string;
  /** Every assertion passed. */
  passed: boolean;
  /** The call or an assertion errored. */
  errored: boolean;
  /** The baseline's outcome on the same case; null without a baseline. */
  baselinePassed: boolean | null;
  assertions: AssertionOutcome[];
  latencyMs: number | null;
  costUsd: number | null;
}

export type EvalVerdict = 'pass' | 'regression';

export interface NewEvalRun {
  promptName: string;
  promptVersion: number;
  baselineVersion: number | null;
  model: string;
  /** sha256 of the golden set's `*.jsonl` contents (see `evalDatasetHash`). */
  datasetHash: string;
  cases: number;
  passed: number;
  errors: number;
  baselinePassed: number | null;
  /** Cases the baseline passes and the candidate does not. */
  regressions: number;
  tolerance: number;
  /** Per assertion type: the candidate's (and the baseline's) pass rate, 0-1. */
  assertionPassRates: Record<string, { candidate: number; baseline: number | null }>;
  verdict: EvalVerdict;
  /** Where the cases ran: `embedded` or the stack's URL. */
  target: string;
  actor: string;
}

export interface EvalRun extends NewEvalRun {
  id: string;
  createdAt: Date;
}

/** Stored eval runs; the promotion gate reads them. */
export interface EvalRunRepository {
  save(run: NewEvalRun, results: readonly EvalCaseResult[]): Promise<EvalRun>;
  /** Runs of a prompt, newest first; `version` narrows to one version. */
  listRuns(promptName: string, options?: { version?: number; limit?: number }): Promise<EvalRun[]>;
  results(runId: string): Promise<EvalCaseResult[]>;
}
