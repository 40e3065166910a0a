import { Inject, Injectable } from '@nestjs/common';
import {
  BallastError,
  ERROR_CODES,
  TOPICS,
  createEnvelope,
  endWith,
  type Completion,
  type Envelope,
  type PipelineState,
  type UsageEvent,
} from '#contracts';
import { runPipelineStep } from '#messaging';
import { INFERENCE_DEPS, type InferenceDeps } from '../inference.tokens.js';
import type { Provider } from '../providers/provider.js';
import { costOf } from './price-table.js';

const LEDGER_STAGE = 'inference';
const ledgerKey = (state: PipelineState) => `${state.request.tenantId}/${state.request.requestId}`;

/** Calls the model for a cache miss, at most once per request, and accounts for the call. */
@Injectable()
export class CompleteUseCase {
  constructor(@Inject(INFERENCE_DEPS) private readonly deps: InferenceDeps) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'inference', publisher: this.deps.publisher }, async (state) => {
      if (state.outcome) return { next: 'respond', state };
      const done = await this.deps.ledger.find(LEDGER_STAGE, ledgerKey(state));
      if (done) return { next: TOPICS.guardOutput, state: { ...state, completion: done.outcome as Completion } };
      const provider = this.deps.providers.find((p) => p.supports(state.rendered.model));
      if (!provider) {
        return {
          next: 'respond',
          state: endWith(state, 'failed', { code: ERROR_CODES.providerUnavailable, message: `no provider serves model "${state.rendered.model}"` }),
        };
      }
      const completion = await this.call(provider, envelope, state);
      const { record } = await this.deps.ledger.record(LEDGER_STAGE, ledgerKey(state), completion);
      return { next: TOPICS.guardOutput, state: { ...state, completion: record.outcome as Completion } };
    });
  }

  private async call(provider: Provider, envelope: Envelope<PipelineState>, state: PipelineState): Promise<Completion> {
    const started = performance.now();
    const budget = envelope.deadline ? Date.parse(envelope.deadline) - Date.now() : this.deps.defaultTimeoutMs;
    const signal = AbortSignal.timeout(Math.max(1, Math.min(budget, this.deps.defaultTimeoutMs)));
    try {
      const result = await provider.complete({
        model: state.rendered.model,
        messages: state.rendered.messages,
        temperature: state.rendered.temperature,
        maxTokens: state.rendered.maxTokens,
        ...(state.rendered.responseFormat ? { responseFormat: state.rendered.responseFormat } : {}),
        signal,
      });
      const durationMs = performance.now() - started;
      const completion: Completion = {
        content: result.content,
        model: result.model,
        provider: provider.name,
        finishReason: result.finishReason,
        usage: {
          inputTokens: result.inputTokens,
          outputTokens: result.outputTokens,
          cachedTokens: result.cachedTokens,
          costUsd: costOf(result.model, result.inputTokens, result.outputTokens, result.cachedTokens),
          estimated: result.estimated,
        },
        ttftMs: result.ttftMs,
        durationMs,
      };
      await this.publishUsage(envelope, state, provider, { status: 'ok', completion, latencyMs: durationMs });
      return completion;
    } catch (error) {
      await this.publishUsage(envelope, state, provider, { status: 'error', latencyMs: performance.now() - started, errorCode: ERROR_CODES.providerError });
      if (signal.aborted) throw new BallastError(ERROR_CODES.deadlineExceeded, `the ${provider.name} call did not finish within its deadline`);
      throw error;
    }
  }

  private publishUsage(
    envelope: Envelope<PipelineState>,
    state: PipelineState,
    provider: Provider,
    call: { status: 'ok' | 'error'; latencyMs: number; completion?: Completion; errorCode?: string },
  ): Promise<void> {
    const usage = call.completion?.usage;
    const event: UsageEvent = {
      kind: 'inference',
      requestId: state.request.requestId,
      tenantId: state.request.tenantId,
      promptName: state.prompt?.name ?? null,
      promptVersion: state.prompt?.version ?? null,
      model: call.completion?.model ?? state.rendered.model,
      provider: provider.name,
      status: call.status,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      cachedTokens: usage?.cachedTokens ?? 0,
      costUsd: usage?.costUsd ?? null,
      estimated: usage?.estimated ?? true,
      latencyMs: call.latencyMs,
      ttftMs: call.completion?.ttftMs ?? null,
      cache: state.cache?.outcome ?? null,
      verdicts: [],
      errorCode: call.errorCode ?? null,
    };
    return this.deps.publisher.publish(TOPICS.usage, createEnvelope(TOPICS.usage, event, envelope));
  }
}
