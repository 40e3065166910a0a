import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Golden-dataset eval runs (`ballast eval run`) and their per-case results; the promotion gate reads them. */
export class EvalRuns1796800000000 implements MigrationInterface {
  name = 'EvalRuns1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE eval_runs (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        prompt_name text NOT NULL,
        prompt_version integer NOT NULL CHECK (prompt_version > 0),
        baseline_version integer CHECK (baseline_version > 0),
        model text NOT NULL,
        dataset_hash text NOT NULL,
        cases integer NOT NULL CHECK (cases >= 0),
        passed integer NOT NULL CHECK (passed >= 0),
        errors integer NOT NULL CHECK (errors >= 0),
        baseline_passed integer CHECK (baseline_passed >= 0),
        regressions integer NOT NULL CHECK (regressions >= 0),
        tolerance double precision NOT NULL,
        assertion_pass_rates jsonb NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('pass', 'regression')),
        target text NOT NULL,
        actor text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX eval_runs_prompt_idx ON eval_runs (prompt_name, prompt_version, seq DESC)`);
    await q.query(`
      CREATE TABLE eval_results (
        run_id uuid NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
        case_id text NOT NULL,
        passed boolean NOT NULL,
        errored boolean NOT NULL,
        baseline_passed boolean,
        assertions jsonb NOT NULL,
        latency_ms double precision,
        cost_usd double precision,
        CONSTRAINT eval_results_pkey PRIMARY KEY (run_id, case_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS eval_results`);
    await q.query(`DROP TABLE IF EXISTS eval_runs`);
  }
}
