import { Inject, Injectable } from '@nestjs/common';
import { trace, type Attributes } from '@opentelemetry/api';
import {
  ERROR_CODES,
  TOPICS,
  createEnvelope,
  type CriterionScore,
  type Envelope,
  type LlmResponse,
  type QualityScore,
  type UsageEvent,
} from '#contracts';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_EVALUATION_EXPLANATION,
  ATTR_GEN_AI_EVALUATION_NAME,
  ATTR_GEN_AI_EVALUATION_SCORE_LABEL,
  ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
  GEN_AI_EVENT_EVALUATION_RESULT,
  contentCaptureEnabled,
  counter,
  createLogger,
  type Logger,
} from '#observability';
import type { PublishItem } from '#messaging';
import { loadRubric, RubricJudge, rubricScore, type JudgeCallUsage, type Rubric } from '#persistence';
import { JUDGE_DEPS, type JudgeDeps } from '../judge.tokens.js';
import { samplingDecision, type SampledBy } from '../sampling/sampler.js';
import { HEURISTIC_JUDGE_MODEL, HEURISTIC_RUBRIC_VERSION, scoreWithHeuristics } from './heuristic.rubric.js';

const judgements = counter({
  name: 'ballast_judge_judgements_total',
  help: 'Responses the judge took: scored (by a model or the heuristic) or a judge error (no score), by error code',
  labelNames: ['outcome', 'judge', 'error_code'],
  labelBounds: { outcome: ['scored', 'error'], judge: ['model', 'heuristic'] },
});

/** A score of 4 or 5 passes (`gen_ai.evaluation.score.label`). */
const PASS_AT = 4;


/**
 * Scores a sample of completed responses: with the rubric's judge model when one is configured
 * (the rubric's `model`, else BALLAST_JUDGE_MODEL), else with the heuristic, which says so
 * (`judgeModel: "heuristic"`). Publishes one quality score per judged response and a usage event per
 * judge call; a judgement that fails is a judge error — a usage event with its code, a counter, a
 * span event — and never a score.
 */
@Injectable()
export class JudgeResponseUseCase {
  private readonly rubrics = new Map<string, Promise<Rubric>>();
  private readonly judge: RubricJudge | null;
  private log: Logger | undefined;

  constructor(@Inject(JUDGE_DEPS) private readonly deps: JudgeDeps) {
    this.judge = deps.model ? new RubricJudge(deps.model, { verdictAttempts: deps.verdictAttempts ?? 2 }) : null;
  }

  async execute(envelope: Envelope<LlmResponse>): Promise<void> {
    const response = envelope.payload;
    const sampledBy = samplingDecision(response);
    if (!sampledBy) return;
    const rubricName = response.judge.rubric ?? null;
    let rubric: Rubric | null = null;
    if (rubricName && this.judge) {
      try {
        rubric = await this.rubric(rubricName);
      } catch (error) {
        return this.judgeError(envelope, rubricName, null, (error as { code?: string }).code ?? ERROR_CODES.rubricInvalid, (error as Error).message, []);
      }
    }
    const judgeModel = rubric ? (rubric.model ?? this.deps.judgeModel ?? null) : null;
    if (!rubric || !judgeModel || !this.judge) return this.heuristic(envelope, sampledBy);

    const meta = { requestId: response.requestId, tenantId: response.tenantId, ...(response.prompt ? { promptName: response.prompt.name, promptVersion: response.prompt.version } : {}) };
    const graded = await this.judge.grade(
      rubric,
      { input: response.judge.input, answer: response.content ?? '', reference: response.judge.reference },
      { model: judgeModel, deadline: Date.now() + (this.deps.timeoutMs ?? 60_000), meta },
      { samples: response.judge.samples ?? 1, aggregate: response.judge.aggregate ?? 'median' },
    );
    if (!graded.ok) return this.judgeError(envelope, rubric.name, judgeModel, graded.code, graded.message, graded.calls);

    const verdict = graded.verdict;
    const criterionScores: CriterionScore[] = rubric.criteria.map((c) => ({
      name: c.name,
      kind: c.kind,
      score: verdict.scores[c.name]!,
      rationale: verdict.rationales?.[c.name] ?? null,
    }));
    const score: QualityScore = {
      ...this.identity(response),
      judge: { kind: 'model', name: judgeModel, rubricVersion: `${rubric.name}@${rubric.version}` },
      score: normalise(rubricScore(rubric, verdict)),
      criteria: Object.fromEntries(criterionScores.map((c) => [c.name, normalise(c.score)])),
      rationale: verdict.reasoning ?? '',
      sampleRate: sampleRateOf(response),
      judgedAt: new Date().toISOString(),
      judgeModel,
      rubric: { name: rubric.name, version: rubric.version },
      mode: response.judge.reference !== undefined ? 'reference' : 'single',
      criterionScores,
      sampledBy,
      samples: graded.samples,
      judgeCost: judgeCost(graded.calls),
    };
    judgements.inc({ outcome: 'scored', judge: 'model', error_code: '' });
    evaluationEvents(rubric.name, criterionScores, rubricScore(rubric, verdict), verdict.reasoning);
    await this.publish(envelope, score, graded.calls.map((call, i) => this.callUsage(response, call, i + 1)));
  }

  private async heuristic(envelope: Envelope<LlmResponse>, sampledBy: SampledBy): Promise<void> {
    const response = envelope.payload;
    const started = performance.now();
    const result = scoreWithHeuristics(response);
    const criterionScores: CriterionScore[] = Object.entries(result.criteria).map(([name, value]) => ({ name, kind: 'format', score: 1 + 4 * value, rationale: null }));
    const score: QualityScore = {
      ...this.identity(response),
      judge: { kind: 'heuristic', name: 'ballast-heuristic', rubricVersion: HEURISTIC_RUBRIC_VERSION },
      score: result.score,
      criteria: result.criteria,
      rationale: result.rationale,
      sampleRate: sampleRateOf(response),
      judgedAt: new Date().toISOString(),
      judgeModel: HEURISTIC_JUDGE_MODEL,
      rubric: { name: HEURISTIC_RUBRIC_VERSION, version: 1 },
      mode: 'single',
      criterionScores,
      sampledBy,
      samples: 1,
      judgeCost: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
    judgements.inc({ outcome: 'scored', judge: 'heuristic', error_code: '' });
    evaluationEvents(HEURISTIC_RUBRIC_VERSION, criterionScores, 1 + 4 * result.score, result.rationale);
    const usage: UsageEvent = {
      ...this.usageBase(response),
      model: null,
      provider: 'heuristic',
      status: 'ok',
      latencyMs: performance.now() - started,
    };
    await this.publish(envelope, score, [usage]);
  }

  private async judgeError(envelope: Envelope<LlmResponse>, rubric: string, judgeModel: string | null, code: string, message: string, calls: JudgeCallUsage[]): Promise<void> {
    const response = envelope.payload;
    judgements.inc({ outcome: 'error', judge: 'model', error_code: code });
    trace.getActiveSpan()?.addEvent(GEN_AI_EVENT_EVALUATION_RESULT, { [ATTR_GEN_AI_EVALUATION_NAME]: rubric, [ATTR_ERROR_TYPE]: code });
    // The reason names the rule the answer broke (schema path, parse error), never the answer itself.
    this.logger().warn({ requestId: response.requestId, rubric, judgeModel, code, reason: message }, 'judge error: no score recorded');
    const failed: UsageEvent = { ...this.usageBase(response), model: judgeModel, provider: null, status: 'error', latencyMs: 0, errorCode: code };
    await this.publish(envelope, null, [...calls.map((call, i) => this.callUsage(response, call, i + 1)), failed]);
  }

  private identity(response: LlmResponse) {
    return {
      requestId: response.requestId,
      tenantId: response.tenantId,
      promptName: response.prompt?.name ?? null,
      promptVersion: response.prompt?.version ?? null,
      model: response.model,
    };
  }

  private usageBase(response: LlmResponse): Omit<UsageEvent, 'model' | 'provider' | 'status' | 'latencyMs'> {
    return {
      kind: 'judge',
      requestId: response.requestId,
      tenantId: response.tenantId,
      promptName: response.prompt?.name ?? null,
      promptVersion: response.prompt?.version ?? null,
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      costUsd: 0,
      estimated: false,
      ttftMs: null,
      cache: null,
      verdicts: [],
      errorCode: null,
    };
  }

  private callUsage(response: LlmResponse, call: JudgeCallUsage, n: number): UsageEvent {
    return {
      ...this.usageBase(response),
      model: call.model,
      provider: call.provider,
      status: call.ok ? 'ok' : 'error',
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      cachedTokens: call.cachedTokens,
      costUsd: call.costUsd,
      estimated: call.estimated,
      latencyMs: call.latencyMs,
      ttftMs: call.ttftMs,
      call: n,
      priceTableVersion: call.priceTableVersion,
      errorType: call.errorType,
      ...(call.ok ? {} : { errorCode: ERROR_CODES.providerError }),
    };
  }

  private async publish(envelope: Envelope<LlmResponse>, score: QualityScore | null, usage: UsageEvent[]): Promise<void> {
    const out: PublishItem[] = [];
    if (score) out.push({ topic: TOPICS.qualityScores, envelope: createEnvelope(TOPICS.qualityScores, score, envelope) });
    for (const u of usage) out.push({ topic: TOPICS.usage, envelope: createEnvelope(TOPICS.usage, u, envelope) });
    await this.deps.publisher.publishAll(out);
  }

  private logger(): Logger {
    return (this.log ??= this.deps.logger ?? createLogger({ service: 'judge' }));
  }

  private rubric(name: string): Promise<Rubric> {
    let loading = this.rubrics.get(name);
    if (!loading) {
      loading = loadRubric(this.deps.rubricsDir ?? 'rubrics', name);
      this.rubrics.set(name, loading);
      // A rubric that failed to load is read again next time (the file may be fixed without a restart).
      loading.catch(() => this.rubrics.delete(name));
    }
    return loading;
  }
}

/** A 1-5 score on the 0-1 scale every quality score shares. */
function normalise(score: number): number {
  return Math.min(1, Math.max(0, (score - 1) / 4));
}

function sampleRateOf(response: LlmResponse): number {
  return response.judge.mode === 'always' || response.judge.rollout === 'canary' || response.judge.rollout === 'promoted' ? 1 : response.judge.sampleRate;
}

function judgeCost(calls: readonly JudgeCallUsage[]): NonNullable<QualityScore['judgeCost']> {
  const unpriced = calls.some((c) => c.costUsd === null);
  return {
    calls: calls.length,
    inputTokens: calls.reduce((n, c) => n + c.inputTokens, 0),
    outputTokens: calls.reduce((n, c) => n + c.outputTokens, 0),
    costUsd: unpriced ? null : calls.reduce((n, c) => n + (c.costUsd ?? 0), 0),
  };
}

/**
 * `gen_ai.evaluation.result` events on the judged request's trace (the judge's `process` span continues
 * it): one per criterion and one for the rubric as a whole. The explanation may quote the answer, so it
 * is attached only when content capture is on.
 */
function evaluationEvents(rubric: string, criteria: readonly CriterionScore[], overall: number, explanation: string | undefined): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const capture = contentCaptureEnabled();
  const event = (name: string, value: number, text: string | null | undefined): Attributes => ({
    [ATTR_GEN_AI_EVALUATION_NAME]: name,
    [ATTR_GEN_AI_EVALUATION_SCORE_VALUE]: value,
    [ATTR_GEN_AI_EVALUATION_SCORE_LABEL]: value >= PASS_AT ? 'pass' : 'fail',
    ...(capture && text ? { [ATTR_GEN_AI_EVALUATION_EXPLANATION]: text } : {}),
  });
  for (const c of criteria) span.addEvent(GEN_AI_EVENT_EVALUATION_RESULT, event(`${rubric}.${c.name}`, c.score, c.rationale));
  span.addEvent(GEN_AI_EVENT_EVALUATION_RESULT, event(rubric, overall, explanation));
}
