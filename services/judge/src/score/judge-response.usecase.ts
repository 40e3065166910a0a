import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, createEnvelope, type Envelope, type LlmResponse, type QualityScore, type UsageEvent } from '#contracts';
import { JUDGE_DEPS, type JudgeDeps } from '../judge.tokens.js';
import { shouldJudge } from '../sampling/sampler.js';
import { HEURISTIC_RUBRIC_VERSION, scoreWithHeuristics } from './heuristic.rubric.js';

/** Scores a sample of completed responses and publishes one quality record per judged response. */
@Injectable()
export class JudgeResponseUseCase {
  constructor(@Inject(JUDGE_DEPS) private readonly deps: JudgeDeps) {}

  async execute(envelope: Envelope<LlmResponse>): Promise<void> {
    const response = envelope.payload;
    if (!shouldJudge(response)) return;
    const started = performance.now();
    const result = scoreWithHeuristics(response);
    const score: QualityScore = {
      requestId: response.requestId,
      tenantId: response.tenantId,
      promptName: response.prompt?.name ?? null,
      promptVersion: response.prompt?.version ?? null,
      model: response.model,
      judge: { kind: 'heuristic', name: 'ballast-heuristic', rubricVersion: HEURISTIC_RUBRIC_VERSION },
      score: result.score,
      criteria: result.criteria,
      rationale: result.rationale,
      sampleRate: response.judge.mode === 'always' ? 1 : response.judge.sampleRate,
      judgedAt: new Date().toISOString(),
    };
    const usage: UsageEvent = {
      kind: 'judge',
      requestId: response.requestId,
      tenantId: response.tenantId,
      promptName: score.promptName,
      promptVersion: score.promptVersion,
      model: null,
      provider: 'heuristic',
      status: 'ok',
      inputTokens: 0,
      outputTokens: 0,
      cachedTokens: 0,
      costUsd: 0,
      estimated: false,
      latencyMs: performance.now() - started,
      ttftMs: null,
      cache: null,
      verdicts: [],
      errorCode: null,
    };
    await this.deps.publisher.publishAll([
      { topic: TOPICS.qualityScores, envelope: createEnvelope(TOPICS.qualityScores, score, envelope) },
      { topic: TOPICS.usage, envelope: createEnvelope(TOPICS.usage, usage, envelope) },
    ]);
  }
}
