import { Inject, Injectable } from '@nestjs/common';
import type { PromptRef, ResolvedPrompt } from '#contracts';
import { chooseVersion, DEFAULT_LABEL, type LabelResolution, type PromptVersion, type ResolvedPromptVersion } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

export interface ResolvedPromptWithTemplate {
  prompt: ResolvedPrompt;
  version: ResolvedPromptVersion;
}

/** A bound on staleness should a registry event ever be lost; events make changes visible at once. */
export const PROMPT_CACHE_TTL_MS = 60_000;

type Cached = { until: number; value: Promise<LabelResolution | PromptVersion | null> };

/**
 * Resolves `{name, label | version}` to an immutable version. A label is cached with its canary
 * split, and the version is chosen per request from the request id, so one request id always gets
 * the same version. Cached look-ups are dropped the moment a `ballast.registry.v1` event names the
 * prompt (`RegistryEventsListener`), so a promotion or rollback takes effect at once.
 */
@Injectable()
export class PromptResolver {
  private readonly cache = new Map<string, Cached>();

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  /** Without a `requestId` a label gives its own version, never the canary. */
  async resolve(ref: PromptRef, requestId?: string): Promise<ResolvedPromptWithTemplate | null> {
    const label = ref.version === undefined ? (ref.label ?? DEFAULT_LABEL) : null;
    const key = `${ref.name}\u0000${label === null ? `v${ref.version}` : `l${label}`}`;
    let hit = this.cache.get(key);
    if (!hit || hit.until <= Date.now()) {
      const value =
        label === null ? this.deps.registry.resolve(ref.name, { version: ref.version! }) : this.deps.registry.resolveLabel(ref.name, label);
      const entry: Cached = { until: Date.now() + PROMPT_CACHE_TTL_MS, value };
      this.cache.set(key, (hit = entry));
      // Misses and failures are not kept: the next request asks again.
      value.then((v) => v === null && this.forget(key, entry), () => this.forget(key, entry));
    }
    const found = await hit.value;
    if (!found) return null;
    const chosen = 'canary' in found ? (requestId === undefined ? found.version : chooseVersion(found, requestId)) : found;
    const version: ResolvedPromptVersion = { ...chosen, label: 'canary' in found ? label : null };
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
        ...('canary' in found ? { rollout: { canary: chosen !== found.version, promotedAt: found.promotedAt?.toISOString() ?? null } } : {}),
      },
    };
  }

  /** Forgets every cached look-up of `name`. */
  invalidate(name: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${name}\u0000`)) this.cache.delete(key);
  }

  private forget(key: string, entry: Cached): void {
    if (this.cache.get(key) === entry) this.cache.delete(key);
  }
}
