import { createHash } from 'node:crypto';
import type { Provider, ProviderRequest, ProviderResult } from './provider.js';
import { sampleFromSchema } from './schema-sample.js';
import { estimateTokens } from './token-estimate.js';

export interface SimulatorOptions {
  /** Time to first token, milliseconds. */
  ttftMs: number;
  /** Output speed after the first token; 0 means the whole answer arrives at once. */
  tokensPerSecond: number;
}

/**
 * The built-in model: deterministic answers (the same request always gets the same answer),
 * schema-conforming JSON when a schema is asked for, and configurable latency. Serves `sim-*` models.
 */
export class SimulatorProvider implements Provider {
  readonly name = 'simulator';

  constructor(private readonly options: SimulatorOptions = { ttftMs: 0, tokensPerSecond: 0 }) {}

  supports(model: string): boolean {
    return model.startsWith('sim-');
  }

  async complete(request: ProviderRequest): Promise<ProviderResult> {
    const started = performance.now();
    const seed = createHash('sha256').update(JSON.stringify([request.model, request.messages])).digest('hex');
    const content = request.responseFormat
      ? JSON.stringify(sampleFromSchema(request.responseFormat.schema, seed))
      : answerText(request, seed);
    const outputTokens = Math.min(estimateTokens(content), request.maxTokens);
    await delay(this.options.ttftMs, request.signal);
    const ttftMs = performance.now() - started;
    if (this.options.tokensPerSecond > 0) await delay((outputTokens / this.options.tokensPerSecond) * 1000, request.signal);
    return {
      content,
      model: request.model,
      finishReason: 'stop',
      inputTokens: request.messages.reduce((n, m) => n + estimateTokens(m.content), 0),
      outputTokens,
      cachedTokens: 0,
      estimated: true,
      ttftMs,
    };
  }
}

function answerText(request: ProviderRequest, seed: string): string {
  const question = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const words = question.split(/\s+/).filter(Boolean).length;
  return `Simulated answer ${seed.slice(0, 8)}: a ${words}-word question was asked of ${request.model}; this reply is deterministic for the same input.`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
