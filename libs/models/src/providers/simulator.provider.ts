import type { Provider, ProviderRequest, ProviderResult } from './provider.js';
import { simulatedAnswer } from './simulated-answer.js';

export interface SimulatorOptions {
  /** Time to first token, milliseconds. */
  ttftMs: number;
  /** Output speed after the first token; 0 means the whole answer arrives at once. */
  tokensPerSecond: number;
}

/**
 * The built-in model, in process: deterministic answers (the same request always gets the same
 * answer), schema-conforming JSON when a schema is asked for, and configurable latency. Serves
 * `sim-*` models. `ballast simulate` serves the same answers over the OpenAI wire format.
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
    await delay(this.options.ttftMs, request.signal);
    const ttftMs = performance.now() - started;
    if (this.options.tokensPerSecond > 0) await delay((answer.tokens.length / this.options.tokensPerSecond) * 1000, request.signal);
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
  if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
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
