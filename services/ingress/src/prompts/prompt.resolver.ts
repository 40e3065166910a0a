import { Inject, Injectable } from '@nestjs/common';
import type { PromptRef, ResolvedPrompt } from '#contracts';
import { DEFAULT_LABEL, type ResolvedPromptVersion } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

export interface ResolvedPromptWithTemplate {
  prompt: ResolvedPrompt;
  version: ResolvedPromptVersion;
}

/**
 * Resolves `{name, label | version}` to an immutable version. Label look-ups are cached in memory
 * and dropped the moment a registry event names the prompt, so a rollback takes effect at once.
 */
@Injectable()
export class PromptResolver {
  private readonly cache = new Map<string, Promise<ResolvedPromptVersion | null>>();

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async resolve(ref: PromptRef): Promise<ResolvedPromptWithTemplate | null> {
    const selector = ref.version !== undefined ? { version: ref.version } : { label: ref.label ?? DEFAULT_LABEL };
    const key = `${ref.name}\u0000${'version' in selector ? `v${selector.version}` : `l${selector.label}`}`;
    let pending = this.cache.get(key);
    if (!pending) {
      pending = this.deps.registry.resolve(ref.name, selector);
      this.cache.set(key, pending);
      pending.then((v) => v === null && this.cache.delete(key), () => this.cache.delete(key));
    }
    const version = await pending;
    if (!version) return null;
    return {
      version,
      prompt: {
        name: version.name,
        version: version.version,
        label: version.label,
        contentHash: version.contentHash,
        model: version.model,
        params: version.params,
        policies: { guardrail: version.policies.guardrail, cache: version.policies.cache, judge: version.policies.judge },
      },
    };
  }

  /** Forgets every cached look-up of `name`. */
  invalidate(name: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${name}\u0000`)) this.cache.delete(key);
  }
}
