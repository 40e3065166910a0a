import type { PipelineState } from '#contracts';
import type { Provider } from '../providers/provider.js';
import { matchesModel } from './model-pattern.js';

/** Where one model name goes: the provider, and the name the provider knows the model by. */
export interface Route {
  provider: Provider;
  /** The name in the request body (`vllm/llama-3` is sent as `llama-3`). */
  model: string;
  /** The model as the prompt named it. */
  requested: string;
  /** Circuit breakers key on this: `provider/model`. */
  key: string;
}

export interface RoutingRules {
  /** Explicit model → provider name, checked first; keys may be patterns (`gpt-4o*`, `*`). */
  routes?: Record<string, string>;
  /** Fallback models after the primary, per primary model (patterns allowed; `*` for every model). */
  fallbacks?: Record<string, readonly string[]>;
}

/**
 * Picks the provider for a model: an explicit route, then a `provider/model` name, then the first
 * provider whose model patterns match (providers are tried in configuration order).
 */
export class ModelRouter {
  private readonly byName: Map<string, Provider>;
  private readonly cache = new Map<string, Route | null>();

  constructor(
    readonly providers: readonly Provider[],
    private readonly rules: RoutingRules = {},
  ) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  route(model: string): Route | null {
    let route = this.cache.get(model);
    if (route === undefined) {
      route = this.resolve(model);
      if (this.cache.size < 10_000) this.cache.set(model, route);
    }
    return route;
  }

  /**
   * The models to try, in order: the rendered model, then the prompt's `params.fallbackModels`,
   * else the configured default chain for that model. Duplicates are dropped.
   */
  chainFor(state: Pick<PipelineState, 'rendered' | 'prompt'>): string[] {
    const primary = state.rendered.model;
    const fromPrompt = state.prompt?.params['fallbackModels'];
    const fallbacks = Array.isArray(fromPrompt) && fromPrompt.every((m) => typeof m === 'string') ? (fromPrompt as string[]) : this.defaultFallbacks(primary);
    return [...new Set([primary, ...fallbacks])];
  }

  private defaultFallbacks(model: string): readonly string[] {
    const table = this.rules.fallbacks ?? {};
    if (table[model]) return table[model];
    for (const [pattern, chain] of Object.entries(table)) if (pattern !== '*' && matchesModel([pattern], model)) return chain;
    return table['*'] ?? [];
  }

  private resolve(model: string): Route | null {
    for (const [pattern, providerName] of Object.entries(this.rules.routes ?? {})) {
      if (matchesModel([pattern], model)) {
        const provider = this.byName.get(providerName);
        if (provider) return this.make(provider, model, model);
      }
    }
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = this.byName.get(model.slice(0, slash));
      if (provider) return this.make(provider, model.slice(slash + 1), model);
    }
    const provider = this.providers.find((p) => p.supports(model));
    return provider ? this.make(provider, model, model) : null;
  }

  private make(provider: Provider, model: string, requested: string): Route {
    return { provider, model, requested, key: `${provider.name}/${model}` };
  }
}
