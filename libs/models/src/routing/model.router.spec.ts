import { ScriptedProvider } from '../testing/scripted.provider.js';
import { ModelRouter } from './model.router.js';

/** The two parts of a pipeline state the chain depends on: the rendered model and the prompt's params. */
function pipelineState(options: { model: string; fallbackModels?: string[] }) {
  return { rendered: { model: options.model, messages: [], temperature: 0, maxTokens: 16 }, prompt: { name: 'p', version: 1, label: null, contentHash: 'h', model: options.model, params: options.fallbackModels ? { fallbackModels: options.fallbackModels } : {}, policies: { guardrail: {}, cache: {}, judge: {} } } };
}

describe('ModelRouter', () => {
  const sim = new ScriptedProvider('simulator', ['sim-1'], [{}]);
  const vllm = new ScriptedProvider('vllm', [], [{}]);
  const openai = new ScriptedProvider('openai', ['gpt-4o', 'gpt-4o-mini'], [{}]);
  const router = new ModelRouter([sim, vllm, openai], { routes: { 'llama-*': 'vllm' }, fallbacks: { 'gpt-4o': ['gpt-4o-mini'], '*': ['sim-1'] } });

  it('routes by explicit rule, by provider/model name, then by the providers own models', () => {
    expect(router.route('llama-3.1-8b')).toMatchObject({ provider: vllm, model: 'llama-3.1-8b', key: 'vllm/llama-3.1-8b' });
    expect(router.route('vllm/qwen-2.5')).toMatchObject({ provider: vllm, model: 'qwen-2.5', requested: 'vllm/qwen-2.5' });
    expect(router.route('gpt-4o')?.provider).toBe(openai);
    expect(router.route('mystery')).toBeNull();
  });

  it("builds the chain from the prompt's fallbackModels, else the configured default", () => {
    expect(router.chainFor(pipelineState({ model: 'gpt-4o', fallbackModels: ['llama-3', 'gpt-4o'] }))).toEqual(['gpt-4o', 'llama-3']);
    expect(router.chainFor(pipelineState({ model: 'gpt-4o' }))).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(router.chainFor(pipelineState({ model: 'llama-3' }))).toEqual(['llama-3', 'sim-1']);
  });
});
