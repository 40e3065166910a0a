import { ConfigError } from '#config';
import { inferenceConfig, providerSpecs } from './inference.config.js';
import { inferenceDepsFromConfig } from './inference.deps.js';

const load = (env: Record<string, string>) => inferenceConfig.load({ ...env });

describe('inference configuration', () => {
  it('serves sim-* with the simulator and nothing else by default', () => {
    expect(providerSpecs(load({})).map((p) => [p.name, p.models])).toEqual([['simulator', ['sim-*']]]);
  });

  it('adds the Anthropic and OpenAI shortcuts, OpenAI last as the catch-all', () => {
    const specs = providerSpecs(load({ OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'sk-ant-1' }));
    expect(specs.map((p) => [p.name, p.models])).toEqual([
      ['simulator', ['sim-*']],
      ['anthropic', ['claude-*']],
      ['openai', ['*']],
    ]);
    expect(specs[2]).toMatchObject({ baseUrl: 'https://api.openai.com/v1', maxTokensField: 'max_completion_tokens', apiKey: 'sk-1' });
  });

  it('reads INFERENCE_PROVIDERS with keys taken from the variables they name', () => {
    const env = {
      INFERENCE_PROVIDERS: JSON.stringify([
        { name: 'azure-eu', type: 'openai', system: 'azure.ai.openai', baseUrl: 'https://eu.openai.azure.com/openai/deployments/gpt-4o', apiKeyEnv: 'AZURE_EU_KEY', headers: { 'api-key': 'x' }, query: { 'api-version': '2024-10-21' }, models: ['gpt-4o'], maxConcurrent: 50 },
        { name: 'vllm', type: 'openai', baseUrl: 'http://vllm:8000/v1', models: ['llama-*'], structuredOutput: 'json_object' },
      ]),
      AZURE_EU_KEY: 'secret',
    };
    const specs = providerSpecs(load(env), env);
    expect(specs.map((s) => s.name)).toEqual(['simulator', 'azure-eu', 'vllm']);
    expect(specs[1]).toMatchObject({ apiKey: 'secret', maxConcurrent: 50 });
  });

  it('fails start-up naming the missing key variable, without echoing JSON with secrets in it', () => {
    const env = { INFERENCE_PROVIDERS: JSON.stringify([{ name: 'azure', type: 'openai', baseUrl: 'https://x.example', apiKeyEnv: 'AZURE_KEY' }]) };
    expect(() => providerSpecs(load(env), env)).toThrow(ConfigError);
    expect(() => providerSpecs(load(env), env)).toThrow(/AZURE_KEY: required by provider "azure"/);
    expect(() => load({ INFERENCE_PROVIDERS: JSON.stringify([{ name: 'x', type: 'openai', apiKey: 'inline' }]) })).toThrow(/INFERENCE_PROVIDERS/);
  });

  it('turns the settings into the stage dependencies', () => {
    const config = load({ INFERENCE_FALLBACK_MODELS: 'gpt-4o-mini,sim-1', INFERENCE_CIRCUIT_FAILURE_RATE: '0.25', INFERENCE_PRICES: '{"llama-3":{"input":0.1,"output":0.2,"cachedInput":0.1}}' });
    const deps = inferenceDepsFromConfig(config, { publisher: {} as never, ledger: {} as never });
    expect(deps.routing?.fallbacks).toEqual({ '*': ['gpt-4o-mini', 'sim-1'] });
    expect(deps.circuit?.failureRateThreshold).toBe(0.25);
    expect(deps.prices?.version).toMatch(/\+local\./);
    expect(deps.providers.map((p) => p.name)).toEqual(['simulator']);
  });
});
