import { Inject, Injectable } from '@nestjs/common';
import type { Envelope, PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { GuardrailEngine } from '../guardrail.engine.js';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import { guardUsage } from '../usage/guard-usage.js';

/** Input phase: a blocked request ends here, before the cache or the model sees it; PII is redacted before either does. */
@Injectable()
export class CheckInputUseCase {
  constructor(
    @Inject(GUARDRAIL_DEPS) private readonly deps: GuardrailDeps,
    private readonly engine: GuardrailEngine,
  ) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'guardrail', publisher: this.deps.publisher, outcomes: this.deps.outcomes }, async (state) => {
      const started = performance.now();
      const step = await this.engine.checkInput(state);
      return { next: step.next, state: step.state, usage: [guardUsage(state, step, performance.now() - started)] };
    });
  }
}
