import type { Provider, ProviderRequest, ProviderResult } from './provider.js';
import { ProviderCallError } from './provider-call.error.js';
import { simulatedAnswer } from './simulated-answer.js';

/** Sees the simulator's calls end early: a test can check that a cancelled stream really stopped the model. */
export interface SimulatorObserver {
  /** The call's signal fired (deadline or a cancelled stream) after `outputTokens` tokens had been produced. */
  aborted(call: { model: string; outputTokens: number }): void;
}

export interface SimulatorOptions {
  /** Time to first token, milliseconds. */
  ttftMs: number;
  /** Output speed after the first token; 0 means the whole answer arrives at once. */
  tokensPerSecond: number;
  observer?: SimulatorObserver;
}

/**
 * The built-in model, in process: deterministic answers (the same request always gets the same
 * answer), schema-conforming JSON when a schema is asked for, and configurable latency. Serves
 * `sim-*` models. `ballast simulate` serves the same answers over the OpenAI wire format. A call
 * with `onDelta` receives the answer token by token at `tokensPerSecond`.
 */
export class SimulatorProvider implements Provider {
  readonly name = 'simulator';
  readonly system = 'ballast.simulator';
  readonly structuredOutput = 'json_schema' as const;

  constructor(private readonly options: SimulatorOptions = { ttftMs: 0, tokensPerSecond: 0 }) {}

  supports(model: string): boolean {
    return model.startsWith('sim-');
  }

  async complete(request: ProviderRequest): Promise<ProviderResult> {
    const started = performance.now();
    const answer = simulatedAnswer(
      { model: request.model, messages: request.messages, ...(request.responseFormat ? { schema: request.responseFormat.schema } : {}) },
      request.maxTokens,
    );
    const { tokensPerSecond } = this.options;
    let ttftMs: number | null = null;
    let sent = 0;
    try {
      await delay(this.options.ttftMs, request.signal);
      ttftMs = performance.now() - started;
      if (request.onDelta) {
        for (const token of answer.tokens) {
          if (sent > 0) await delay(tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0, request.signal);
          request.onDelta(token);
          sent++;
        }
      } else if (tokensPerSecond > 0) {
        await delay((answer.tokens.length / tokensPerSecond) * 1000, request.signal);
      }
    } catch (error) {
      if (!request.signal.aborted) throw error;
      // Without onDelta the tokens are not paced one by one: count what the elapsed time would have produced.
      if (!request.onDelta && ttftMs !== null && tokensPerSecond > 0) {
        sent = Math.min(answer.tokens.length, Math.floor(((performance.now() - started - ttftMs) / 1000) * tokensPerSecond));
      }
      this.options.observer?.aborted({ model: request.model, outputTokens: sent });
      throw new ProviderCallError('timeout', 'the call was aborted', {
        cause: error,
        partial: { content: answer.tokens.slice(0, sent).join(''), ttftMs, inputTokens: answer.inputTokens, outputTokens: sent, cachedTokens: 0 },
      });
    }
    return {
      content: answer.content,
      model: request.model,
      finishReason: answer.truncated ? 'length' : 'stop',
      inputTokens: answer.inputTokens,
      outputTokens: answer.tokens.length,
      cachedTokens: 0,
      estimated: true,
      ttftMs,
    };
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
