import { Inject, Injectable } from '@nestjs/common';
import { ERROR_CODES, endWith, type Envelope, type PipelineState, type Verdict } from '#contracts';
import { runPipelineStep } from '#messaging';
import { GUARDRAIL_DEPS, type GuardrailDeps } from '../guardrail.tokens.js';
import { JsonOutputValidator } from './json-output.validator.js';

/** Output phase: the model is untrusted, so its answer is checked before a client or the cache sees it. */
@Injectable()
export class CheckOutputUseCase {
  private readonly validator = new JsonOutputValidator();

  constructor(@Inject(GUARDRAIL_DEPS) private readonly deps: GuardrailDeps) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'guardrail', publisher: this.deps.publisher }, async (state) => {
      if (state.outcome || !state.completion) return { next: 'respond', state };
      const format = state.rendered.responseFormat;
      if (!format) {
        return { next: 'respond', state: { ...state, verdicts: [...state.verdicts, pass('output-format')] } };
      }
      const result = this.validator.validate(state.completion.content, format);
      if (result.ok) {
        return {
          next: 'respond',
          state: { ...state, completion: { ...state.completion, parsed: result.parsed }, verdicts: [...state.verdicts, pass('json-schema')] },
        };
      }
      const verdict: Verdict = { phase: 'output', decision: 'block', detector: 'json-schema', rule: 'response_format', spans: [], reason: result.errors.join('; ') };
      return {
        next: 'respond',
        state: endWith({ ...state, verdicts: [...state.verdicts, verdict] }, 'failed', {
          code: ERROR_CODES.outputInvalid,
          message: `the model's output does not match the response schema: ${verdict.reason}`,
        }),
      };
    });
  }
}

function pass(detector: string): Verdict {
  return { phase: 'output', decision: 'pass', detector, spans: [] };
}
