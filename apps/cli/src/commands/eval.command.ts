/**
 * `ballast eval run`: scores a prompt version on its golden set (`evals/<prompt>/*.jsonl`) through
 * the real pipeline (embedded in-process, or a running stack with --url), side by side with a
 * baseline, stores the run for the promotion gate and exits 1 on a regression.
 */
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { EvalCase, EvalDataset, PromptVersion } from '#persistence';
import { CliError, EXIT, UsageError, action, commandGroup, oneLine } from '../cli.js';
import { HttpJudge } from '../evals/judge.client.js';
import { comparePairwise, type PairwiseSummary } from '../evals/pairwise.js';
import { runCases, summarize, type EvalSummary, type VersionRun } from '../evals/eval-runner.js';
import { HttpEvalTarget, type EvalTarget } from '../evals/eval-target.js';
import { junitXml } from '../evals/junit-report.js';
import { actorFrom, openRegistrySession, REGISTRY_ENVIRONMENT } from '../prompts/registry-session.js';
import { Progress, table } from './prompts.command.js';

interface RunOptions {
  prompt: string;
  baseline?: string;
  sample?: number;
  concurrency: number;
  json?: boolean;
  junit?: string;
  url?: string;
  tolerance: number;
  evalsDir: string;
  rubricsDir: string;
  judgeUrl?: string;
  pairwise?: string;
}

const EVAL_ENVIRONMENT = `${REGISTRY_ENVIRONMENT}
  BALLAST_API_KEY   the API key for --url and the embedded stack (default dev-key)
  LOG_LEVEL         the embedded stack's log level during the run (default error)`;

export function register(program: Command): void {
  const group = commandGroup(program, 'eval', 'score prompt versions on their golden datasets');
  group
    .command('run')
    .summary('run a prompt version on its golden set, compare with a baseline, store the run')
    .description(
      'Runs every case of evals/<prompt>/*.jsonl through the pipeline with the version pinned, scores the answers, prints per-assertion pass rates ' +
        'beside the baseline\'s, stores the run (the promotion gate reads it) and exits 1 when the candidate breaks more of the cases the baseline passes than --tolerance allows.',
    )
    .requiredOption('--prompt <name@version>', 'the candidate version, e.g. support-answer@3', promptVersionRef)
    .option('--baseline <label|version>', 'compare with this label (e.g. production) or version number')
    .option('--sample <n>', 'run only n cases (the same n each time); a sampled run does not count for the promotion gate', positiveInt)
    .option('--concurrency <n>', 'cases in flight at once', positiveInt, 4)
    .option('--tolerance <ratio>', 'share of cases (0-1) the candidate may break before it is a regression', ratio, 0)
    .option('--url <url>', 'a running Ballast (its HTTP API) instead of an embedded one', httpUrl)
    .option('--judge-url <url>', 'OpenAI-compatible API for judge assertions (default: the stack under test)', httpUrl)
    .option('--pairwise <rubric>', "also compare each case's two answers (candidate vs baseline) with this rubric, asked in both orders; needs --baseline")
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--evals-dir <dir>', 'where the golden sets are', 'evals')
    .option('--rubrics-dir <dir>', 'where the judge rubrics are', 'rubrics')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', EVAL_ENVIRONMENT)
    .action(action(run));
}

async function run(options: RunOptions): Promise<number> {
  const { BallastError, ERROR_CODES } = await import('#contracts');
  const { loadEvalDataset } = await import('#persistence');
  const [name, versionText] = options.prompt.split('@') as [string, string];
  const candidateVersion = Number(versionText);
  const dataset = await loadEvalDataset(options.evalsDir, name).catch((error: unknown) => {
    if (error instanceof BallastError) throw new CliError(error.message);
    throw error;
  });
  const cases = options.sample ? sample(dataset.cases, options.sample) : dataset.cases;
  if (options.pairwise && !options.baseline) throw new UsageError('--pairwise compares the candidate with a baseline: pass --baseline too');
  if (!options.url && process.env['DATABASE_URL']) throw new UsageError('with DATABASE_URL the registry is a running stack\'s: pass its --url');

  const { candidate, baseline } = await resolveVersions(name, candidateVersion, options.baseline, ERROR_CODES.promptNotFound);
  const apiKey = process.env['BALLAST_API_KEY'] || 'dev-key';
  const runId = randomUUID().slice(0, 8);
  const started = performance.now();
  const { candidateRun, baselineRun, target, pairwise } = await withTarget(options.url, apiKey, async (target, url) => {
    const judge = new HttpJudge({ url: options.judgeUrl ?? url, apiKey, rubricsDir: options.rubricsDir, defaultModel: candidate.model });
    const context = (v: PromptVersion) => ({ responseFormat: v.responseFormat ?? null, judge });
    const progress = new Progress(cases.length * (baseline ? 2 : 1), !options.json);
    const common = { target, prompt: name, cases, concurrency: options.concurrency, runId, onCase: (c: EvalCase) => progress.tick(c.id) };
    try {
      const candidateRun = await runCases({ ...common, version: candidate.version, context: context(candidate) });
      const baselineRun = baseline ? await runCases({ ...common, version: baseline.version, context: context(baseline) }) : null;
      const pairwise = options.pairwise && baselineRun ? await comparePairwise(judge, options.pairwise, candidateRun, baselineRun, options.concurrency) : null;
      return { candidateRun, baselineRun, target: target.name, pairwise };
    } finally {
      progress.done();
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = summarize(candidateRun, baselineRun, options.tolerance);
  const datasetHash = options.sample ? `sample-${cases.length}-${dataset.hash}` : dataset.hash;

  const stored = await storeRun({ name, candidate, baseline, summary, candidateRun, datasetHash, tolerance: options.tolerance, target });
  if (options.junit) {
    await writeFile(options.junit, junitXml(`${name}@${candidate.version}`, candidateRun.results, seconds)).catch((error: unknown) => {
      throw new CliError(`cannot write the JUnit report to ${options.junit}: ${oneLine(error)}`);
    });
  }
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ runId: stored.id, prompt: name, version: candidate.version, baselineVersion: baseline?.version ?? null, datasetHash, target, seconds, ...summary, ...(pairwise ? { pairwise } : {}), results: candidateRun.results }, null, 2)}\n`,
    );
  } else {
    printReport(name, dataset, candidate.version, baseline?.version ?? null, candidateRun, baselineRun, summary, options.tolerance, seconds);
    if (pairwise) process.stdout.write(`${pairwiseLine(pairwise, candidate.version, baseline!.version)}\n`);
  }
  return summary.verdict === 'regression' ? EXIT.error : EXIT.ok;
}

async function resolveVersions(name: string, version: number, baselineRef: string | undefined, notFound: string) {
  const session = await openRegistrySession();
  try {
    const candidate = await session.registry.resolve(name, { version });
    if (!candidate) {
      const versions = await session.registry.listVersions(name);
      throw new CliError(versions.length ? `${name} has no version ${version} (latest is v${versions.at(-1)!.version}; ballast prompts push publishes)` : `prompt '${name}' is not registered (ballast prompts push)`);
    }
    let baseline: PromptVersion | null = null;
    if (baselineRef !== undefined) {
      const ref = /^\d+$/.test(baselineRef) ? { version: Number(baselineRef) } : { label: baselineRef };
      baseline = await session.registry.resolve(name, ref);
      if (!baseline) throw new CliError(`baseline '${baselineRef}' of '${name}' does not exist (ballast prompts show ${name}:${baselineRef})`);
    }
    return { candidate, baseline };
  } catch (error) {
    const { BallastError } = await import('#contracts');
    if (error instanceof BallastError && error.code === notFound) throw new CliError(error.message);
    throw error;
  } finally {
    await session.close();
  }
}

/** The embedded stack runs only while the cases do: PGlite's data dir has one owner at a time. */
async function withTarget<T>(url: string | undefined, apiKey: string, work: (target: EvalTarget, url: string) => Promise<T>): Promise<T> {
  if (url) return work(new HttpEvalTarget(url, url, apiKey), url);
  const { startEmbedded } = await import('../../../embedded/src/embedded.js');
  const dataDir = process.env['BALLAST_DATA_DIR'] || '.data';
  const ballast = await startEmbedded({ port: 0, apiKey, dataDir, env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] || 'error' } }).catch((error: unknown) => {
    if (error instanceof Error && error.name === 'DataDirInUseError') throw new CliError(`${error.message}, or pass its --url`);
    throw new CliError(`cannot start the embedded stack on ${dataDir}: ${oneLine(error)}`);
  });
  try {
    return await work(new HttpEvalTarget('embedded', ballast.url, apiKey), ballast.url);
  } finally {
    await ballast.stop();
  }
}

async function storeRun(input: {
  name: string;
  candidate: PromptVersion;
  baseline: PromptVersion | null;
  summary: EvalSummary;
  candidateRun: VersionRun;
  datasetHash: string;
  tolerance: number;
  target: string;
}) {
  const { TypeormEvalRunRepository } = await import('#persistence');
  const session = await openRegistrySession();
  try {
    const { summary } = input;
    return await new TypeormEvalRunRepository(session.dataSource).save(
      {
        promptName: input.name,
        promptVersion: input.candidate.version,
        baselineVersion: input.baseline?.version ?? null,
        model: input.candidateRun.models.join(',') || input.candidate.model,
        datasetHash: input.datasetHash,
        cases: summary.cases,
        passed: summary.passed,
        errors: summary.errors,
        baselinePassed: summary.baselinePassed,
        regressions: summary.regressions.length,
        tolerance: input.tolerance,
        assertionPassRates: summary.assertionPassRates,
        verdict: summary.verdict,
        target: input.target,
        actor: actorFrom(),
      },
      input.candidateRun.results,
    );
  } finally {
    await session.close();
  }
}

function printReport(
  name: string,
  dataset: EvalDataset,
  version: number,
  baselineVersion: number | null,
  candidate: VersionRun,
  baseline: VersionRun | null,
  s: EvalSummary,
  tolerance: number,
  seconds: number,
): void {
  const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 1000) / 10}%`);
  const out = (text: string) => void process.stdout.write(text);
  out(`${name}@${version}${baselineVersion ? ` vs v${baselineVersion}` : ''}: ${s.cases} cases from ${dataset.dir} (golden set ${dataset.hash.slice(0, 12)})\n\n`);
  table(
    ['assertion', `v${version}`, ...(baselineVersion ? [`v${baselineVersion}`] : [])],
    Object.entries(s.assertionPassRates).map(([type, r]) => [type, pct(r.candidate), ...(baselineVersion ? [pct(r.baseline)] : [])]),
  );
  out('\n');
  const base = new Map(baseline?.results.map((r) => [r.caseId, r]) ?? []);
  const mark = (passed: boolean, errored: boolean) => (errored ? 'ERROR' : passed ? 'pass' : 'FAIL');
  const money = (c: number | null) => (c === null ? '-' : `$${c.toFixed(6)}`);
  table(
    ['case', `v${version}`, ...(baseline ? [`v${baselineVersion}`] : []), 'latency', 'cost', 'why'],
    candidate.results.map((r) => {
      const b = base.get(r.caseId);
      const why = r.assertions.find((a) => a.status === 'error') ?? r.assertions.find((a) => a.status !== 'pass');
      return [r.caseId, mark(r.passed, r.errored), ...(baseline ? [b ? mark(b.passed, b.errored) : '-'] : []), r.latencyMs === null ? '-' : `${Math.round(r.latencyMs)} ms`, money(r.costUsd), why ? `${why.type}: ${why.detail}`.slice(0, 100) : ''];
    }),
  );
  const cost = s.totalCostUsd === null ? 'cost unknown' : `cost $${s.totalCostUsd.toFixed(6)} (${money(s.totalCostUsd / Math.max(1, s.cases))}/case)`;
  out(
    `\npassed ${s.passed}/${s.cases} (${pct(s.cases ? s.passed / s.cases : 0)})${s.baselinePassed === null ? '' : `, baseline ${s.baselinePassed}/${s.cases}`}, errors ${s.errors}; ` +
      `mean latency ${s.meanLatencyMs === null ? '-' : `${Math.round(s.meanLatencyMs)} ms`}; ${cost}; ${seconds.toFixed(1)} s\n`,
  );
  out(
    s.verdict === 'pass'
      ? `verdict: PASS${baselineVersion ? ` (${s.regressions.length} case(s) broken, tolerance ${pct(tolerance)})` : ''}\n`
      : `verdict: REGRESSION: v${version} breaks ${s.regressions.length} case(s) v${baselineVersion} passes (${pct(s.regressionRate)} > tolerance ${pct(tolerance)}): ${s.regressions.slice(0, 5).join(', ')}${s.regressions.length > 5 ? ', ...' : ''}\n`,
  );
}

/** The same `n` cases every time: those whose id hashes lowest. */
function sample(cases: readonly EvalCase[], n: number): EvalCase[] {
  const key = (c: EvalCase) => createHash('sha256').update(c.id).digest('hex');
  return [...cases].sort((a, b) => key(a).localeCompare(key(b))).slice(0, n);
}

function promptVersionRef(raw: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*@[1-9]\d*$/.test(raw)) throw new InvalidArgumentError('Expected name@version, e.g. support-answer@2.');
  return raw;
}

function positiveInt(raw: string): number {
  if (!/^[1-9]\d*$/.test(raw)) throw new InvalidArgumentError('Expected a whole number above 0.');
  return Number(raw);
}

function ratio(raw: string): number {
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n > 1) throw new InvalidArgumentError('Expected a share from 0 to 1, e.g. 0.05.');
  return n;
}

function httpUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw.replace(/\/$/, '');
  } catch {
    // Reported below.
  }
  throw new InvalidArgumentError('Expected an http(s) URL, e.g. http://localhost:8080.');
}

function pairwiseLine(p: PairwiseSummary, candidate: number, baseline: number): string {
  return `pairwise (${p.rubric}, each case asked in both orders; a tie when the orders disagree): v${candidate} wins ${p.candidateWins}, v${baseline} wins ${p.baselineWins}, ties ${p.ties}${p.errors ? `, not compared ${p.errors}` : ''}`;
}
