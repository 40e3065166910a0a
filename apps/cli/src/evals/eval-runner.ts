/** Runs a golden set against a prompt version (and its baseline) and turns the scores into a verdict. */
import type { AssertionOutcome, EvalCase, EvalCaseResult, EvalVerdict } from '#persistence';
import { scoreAssertion, type ScoringContext } from './assertions.js';
import type { CaseAnswer, EvalTarget } from './eval-target.js';

export interface VersionRun {
  version: number;
  results: EvalCaseResult[];
  /** Models that answered, as the responses name them. */
  models: string[];
  /** Per case (same order as `results`): what was asked and the answer, for a pairwise comparison; not stored. */
  answers: { question: string; content: string | null }[];
}

export interface RunCasesOptions {
  target: EvalTarget;
  prompt: string;
  version: number;
  cases: readonly EvalCase[];
  concurrency: number;
  context: ScoringContext;
  runId: string;
  onCase?: (evalCase: EvalCase) => void;
}

export async function runCases(options: RunCasesOptions): Promise<VersionRun> {
  const results: EvalCaseResult[] = new Array(options.cases.length);
  const answers: VersionRun['answers'] = new Array(options.cases.length);
  const models = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < options.cases.length) {
      const i = next++;
      const c = options.cases[i]!;
      const requestId = `eval-${options.runId}-v${options.version}-${i}`;
      const answer = await options.target.ask(options.prompt, options.version, c, requestId);
      if (answer.model) models.add(answer.model);
      results[i] = await scoreCase(c, answer, options.context, options.version);
      answers[i] = { question: questionOf(c), content: answer.version === null || answer.version === options.version ? answer.content : null };
      options.onCase?.(c);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.cases.length) }, worker));
  return { version: options.version, results, models: [...models], answers };
}

async function scoreCase(c: EvalCase, answer: CaseAnswer, context: ScoringContext, version: number): Promise<EvalCaseResult> {
  const question = questionOf(c);
  let assertions: AssertionOutcome[];
  if (answer.version !== null && answer.version !== version) {
    assertions = c.expect.map((a) => ({ type: a.type, status: 'error', detail: `v${answer.version} answered instead of v${version}` }));
  } else if (answer.content === null && !answer.blocked) {
    assertions = c.expect.map((a) => ({ type: a.type, status: 'error', detail: answer.error ?? 'no answer' }));
  } else {
    assertions = [];
    for (const a of c.expect) assertions.push(await scoreAssertion(a, { content: answer.content, blocked: answer.blocked, question }, context));
  }
  return {
    caseId: c.id,
    passed: assertions.every((a) => a.status === 'pass'),
    errored: assertions.some((a) => a.status === 'error'),
    baselinePassed: null,
    assertions,
    latencyMs: Math.round(answer.latencyMs * 10) / 10,
    costUsd: answer.costUsd,
  };
}

/** What the judge reads as the question: the case's last user message, or its variables. */
function questionOf(c: EvalCase): string {
  const user = c.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  if (user !== undefined) return user;
  const strings = Object.values(c.variables ?? {}).filter((v): v is string => typeof v === 'string');
  return strings.length === 1 ? strings[0]! : JSON.stringify(c.variables ?? {});
}

export interface EvalSummary {
  cases: number;
  passed: number;
  errors: number;
  baselinePassed: number | null;
  /** Case ids the baseline passes and the candidate does not. */
  regressions: string[];
  /** regressions / cases. */
  regressionRate: number;
  assertionPassRates: Record<string, { candidate: number; baseline: number | null }>;
  verdict: EvalVerdict;
  meanLatencyMs: number | null;
  totalCostUsd: number | null;
}

/**
 * Marks each candidate result with the baseline's outcome and decides: a regression when the share of
 * cases the candidate breaks (the baseline passes them, the candidate does not) exceeds `tolerance`.
 */
export function summarize(candidate: VersionRun, baseline: VersionRun | null, tolerance: number): EvalSummary {
  const byId = new Map(baseline?.results.map((r) => [r.caseId, r]) ?? []);
  for (const r of candidate.results) r.baselinePassed = baseline ? (byId.get(r.caseId)?.passed ?? false) : null;
  const regressions = candidate.results.filter((r) => r.baselinePassed === true && !r.passed).map((r) => r.caseId);
  const cases = candidate.results.length;
  const regressionRate = cases ? regressions.length / cases : 0;
  const rates = (results: readonly EvalCaseResult[]) => {
    const counts = new Map<string, { pass: number; all: number }>();
    for (const a of results.flatMap((r) => r.assertions)) {
      const c = counts.get(a.type) ?? { pass: 0, all: 0 };
      c.all++;
      if (a.status === 'pass') c.pass++;
      counts.set(a.type, c);
    }
    return counts;
  };
  const mine = rates(candidate.results);
  const theirs = baseline ? rates(baseline.results) : null;
  const assertionPassRates: EvalSummary['assertionPassRates'] = {};
  for (const type of [...new Set([...mine.keys(), ...(theirs?.keys() ?? [])])].sort()) {
    const m = mine.get(type);
    const t = theirs?.get(type);
    assertionPassRates[type] = { candidate: m ? m.pass / m.all : 0, baseline: theirs ? (t ? t.pass / t.all : 0) : null };
  }
  const latencies = candidate.results.map((r) => r.latencyMs).filter((l): l is number => l !== null);
  const costs = candidate.results.map((r) => r.costUsd).filter((c): c is number => c !== null);
  return {
    cases,
    passed: candidate.results.filter((r) => r.passed).length,
    errors: candidate.results.filter((r) => r.errored).length,
    baselinePassed: baseline ? baseline.results.filter((r) => r.passed).length : null,
    regressions,
    regressionRate,
    assertionPassRates,
    verdict: regressionRate > tolerance ? 'regression' : 'pass',
    meanLatencyMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
    totalCostUsd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
  };
}
