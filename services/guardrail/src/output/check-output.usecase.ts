import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { GuardrailEngine } from '../guardrail.engine.js';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import { publishGuardUsage } from '../usage/guard-usage.js';

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
      if (step.status !== 'skipped') await publishGuardUsage(this.deps.publisher, envelope, step, performance.now() - started);
      return step.next === 'respond' ? { next: 'respond', state: step.state } : { next: step.next, state: step.state };
    });
  }
}
