import { Inject, Injectable } from '@nestjs/common';
import { ERROR_CODES, TOPICS, endWith, type Envelope, type PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import { checkInputSize } from './input.checks.js';

/** Input phase: a blocked request ends here, before the cache or the model sees it. */
@Injectable()
export class CheckInputUseCase {
  constructor(@Inject(GUARDRAIL_DEPS) private readonly deps: GuardrailDeps) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'guardrail', publisher: this.deps.publisher }, async (state) => {
      const verdicts = checkInputSize(state, this.deps.limits);
      const withVerdicts = { ...state, verdicts: [...state.verdicts, ...verdicts] };
      const blocked = verdicts.find((v) => v.decision === 'block');
      if (blocked) {
        return {
          next: 'respond',
          state: endWith(withVerdicts, 'blocked', { code: ERROR_CODES.guardrailBlocked, message: blocked.reason ?? `blocked by ${blocked.detector}` }),
        };
      }
      return { next: TOPICS.cacheLookup, state: withVerdicts };
    });
  }
}
