import type { ProviderSpec } from './provider.config.js';
import { AnthropicProvider } from './anthropic.provider.js';
import { OpenAiCompatibleProvider } from './openai-compatible.provider.js';
import type { Provider } from './provider.js';
import { SimulatorProvider, type SimulatorOptions } from './simulator.provider.js';

/** The provider adapters for the configured specs, in routing order. */
export function createProviders(specs: readonly ProviderSpec[], options: { simulator?: SimulatorOptions } = {}): Provider[] {
  return specs.map((spec): Provider => {
    switch (spec.type) {
      case 'simulator':
        return new SimulatorProvider(options.simulator);
      case 'anthropic':
        return new AnthropicProvider({
          name: spec.name,
          apiKey: spec.apiKey ?? '',
          ...(spec.baseUrl ? { baseUrl: spec.baseUrl } : {}),
          ...(spec.headers ? { headers: spec.headers } : {}),
          ...(spec.models ? { models: spec.models } : {}),
          ...(spec.structuredOutput === 'json_schema' ? { structuredOutput: 'json_schema' as const } : {}),
          ...(spec.maxConcurrent ? { maxConcurrent: spec.maxConcurrent } : {}),
        });
      case 'openai':
        return new OpenAiCompatibleProvider({
          name: spec.name,
          baseUrl: spec.baseUrl!,
          models: spec.models ?? ['*'],
          ...(spec.apiKey ? { apiKey: spec.apiKey } : {}),
          ...(spec.system ? { system: spec.system } : {}),
          ...(spec.headers ? { headers: spec.headers } : {}),
          ...(spec.query ? { query: spec.query } : {}),
          ...(spec.structuredOutput ? { structuredOutput: spec.structuredOutput } : {}),
          ...(spec.maxTokensField ? { maxTokensField: spec.maxTokensField } : {}),
          ...(spec.streamUsage !== undefined ? { streamUsage: spec.streamUsage } : {}),
          ...(spec.maxConcurrent ? { maxConcurrent: spec.maxConcurrent } : {}),
        });
    }
  });
}
