import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EvalCaseResult, EvalRun, EvalRunRepository, NewEvalRun } from './eval-run.repository.js';

interface RunRow {
  id: string;
  prompt_name: string;
  prompt_version: number;
  baseline_version: number | null;
  model: string;
  dataset_hash: string;
  cases: number;
  passed: number;
  errors: number;
  baseline_passed: number | null;
  regressions: number;
  tolerance: number;
  assertion_pass_rates: NewEvalRun['assertionPassRates'] | string;
  verdict: EvalRun['verdict'];
  target: string;
  actor: string;
  created_at: Date | string;
}

interface ResultRow {
  case_id: string;
  passed: boolean;
  errored: boolean;
  baseline_passed: boolean | null;
  assertions: EvalCaseResult['assertions'] | string;
  latency_ms: number | null;
  cost_usd: number | null;
}

/** Eval runs in Postgres (or PGlite): one row per run in `eval_runs`, one per case in `eval_results`. */
export class TypeormEvalRunRepository implements EvalRunRepository {
  constructor(private readonly dataSource: DataSource) {}

  async save(run: NewEvalRun, results: readonly EvalCaseResult[]): Promise<EvalRun> {
    const id = randomUUID();
    return this.dataSource.transaction(async (m) => {
      const [row] = (await m.query(
        `INSERT INTO eval_runs (id, prompt_name, prompt_version, baseline_version, model, dataset_hash, cases, passed, errors, baseline_passed,
           regressions, tolerance, assertion_pass_rates, verdict, target, actor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING *`,
        [id, run.promptName, run.promptVersion, run.baselineVersion, run.model, run.datasetHash, run.cases, run.passed, run.errors, run.baselinePassed,
          run.regressions, run.tolerance, JSON.stringify(run.assertionPassRates), run.verdict, run.target, run.actor],
      )) as RunRow[];
      for (const r of results) {
        await m.query(
          `INSERT INTO eval_results (run_id, case_id, passed, errored, baseline_passed, assertions, latency_ms, cost_usd) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [id, r.caseId, r.passed, r.errored, r.baselinePassed, JSON.stringify(r.assertions), r.latencyMs, r.costUsd],
        );
      }
      return toRun(row!);
    });
  }

  async listRuns(promptName: string, options: { version?: number; limit?: number } = {}): Promise<EvalRun[]> {
    const params: unknown[] = [promptName];
    let sql = `SELECT * FROM eval_runs WHERE prompt_name = $1`;
    if (options.version !== undefined) sql += ` AND prompt_version = $${params.push(options.version)}`;
    sql += ` ORDER BY seq DESC`;
    if (options.limit !== undefined) sql += ` LIMIT $${params.push(options.limit)}`;
    return ((await this.dataSource.query(sql, params)) as RunRow[]).map(toRun);
  }

  async results(runId: string): Promise<EvalCaseResult[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM eval_results WHERE run_id = $1 ORDER BY case_id`, [runId])) as ResultRow[];
    return rows.map((r) => ({
      caseId: r.case_id,
      passed: r.passed,
      errored: r.errored,
      baselinePassed: r.baseline_passed,
      assertions: typeof r.assertions === 'string' ? JSON.parse(r.assertions) : r.assertions,
      latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
      costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    }));
  }
}

function toRun(r: RunRow): EvalRun {
  return {
    id: r.id,
    promptName: r.prompt_name,
    promptVersion: Number(r.prompt_version),
    baselineVersion: r.baseline_version === null ? null : Number(r.baseline_version),
    model: r.model,
    datasetHash: r.dataset_hash,
    cases: Number(r.cases),
    passed: Number(r.passed),
    errors: Number(r.errors),
    baselinePassed: r.baseline_passed === null ? null : Number(r.baseline_passed),
    regressions: Number(r.regressions),
    tolerance: Number(r.tolerance),
    assertionPassRates: typeof r.assertion_pass_rates === 'string' ? JSON.parse(r.assertion_pass_rates) : r.assertion_pass_rates,
    verdict: r.verdict,
    target: r.target,
    actor: r.actor,
    createdAt: new Date(r.created_at),
  };
}
