import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { GuardrailEngine } from '../guardrail.engine.js';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import { guardUsage } from '../usage/guard-usage.js';

/** Output phase: the model is untrusted, so its answer is checked before a client or the cache sees it. */
@Injectable()
export class CheckOutputUseCase {
  constructor(
    @Inject(GUARDRAIL_DEPS) private readonly deps: GuardrailDeps,
    private readonly engine: GuardrailEngine,
  ) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'guardrail', publisher: this.deps.publisher, outcomes: this.deps.outcomes }, async (state) => {
      const started = performance.now();
      const step = await this.engine.checkOutput(state);
      return { next: step.next, state: step.state, usage: step.status !== 'skipped' ? [guardUsage(state, step, performance.now() - started)] : [] };
    });
  }
}
