import type { Provider, ProviderRequest, ProviderResult, StructuredOutputMode } from '../providers/provider.js';

type Step = Partial<ProviderResult> | Error | ((request: ProviderRequest) => Promise<Partial<ProviderResult>>);

/** A provider that answers from a script, one step per call (the last step repeats), and keeps every request. */
export class ScriptedProvider implements Provider {
  readonly system = 'test';
  readonly requests: ProviderRequest[] = [];

  constructor(
    readonly name: string,
    private readonly models: string[],
    private readonly steps: Step[],
    readonly structuredOutput: StructuredOutputMode = 'json_schema',
  ) {}

  supports(model: string): boolean {
    return this.models.includes(model);
  }

  async complete(request: ProviderRequest): Promise<ProviderResult> {
    this.requests.push(request);
    const step = this.steps[Math.min(this.requests.length - 1, this.steps.length - 1)]!;
    if (step instanceof Error) throw step;
    const partial = typeof step === 'function' ? await step(request) : step;
    return {
      content: 'an answer',
      model: request.model,
      finishReason: 'stop',
      inputTokens: 100,
      outputTokens: 20,
      cachedTokens: 0,
      estimated: false,
      ttftMs: 5,
      ...partial,
    };
  }
}
