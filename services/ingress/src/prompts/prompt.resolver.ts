import { Inject, Injectable } from '@nestjs/common';
import type { PromptRef, ResolvedPrompt } from '#contracts';
import { chooseVersion, DEFAULT_LABEL, type LabelResolution, type PromptVersion, type ResolvedPromptVersion } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { RefreshingCache } from '../lookups/refreshing.cache.js';

export interface ResolvedPromptWithTemplate {
  prompt: ResolvedPrompt;
  version: ResolvedPromptVersion;
}

/** After this a cached look-up is refreshed in the background; events make changes visible at once. */
export const PROMPT_CACHE_TTL_MS = 60_000;
/**
 * The bound on staleness should a registry event be lost and the registry keep failing to answer:
 * until then requests are served the cached look-up while it refreshes, never made to wait for it.
 */
export const PROMPT_CACHE_MAX_STALE_MS = 300_000;

type Found = LabelResolution | PromptVersion | null;

/**
 * Resolves `{name, label | version}` to an immutable version. A label is cached with its canary
 * split, and the version is chosen per request from the request id, so one request id always gets
 * the same version. Cached look-ups are dropped the moment a `ballast.registry.v1` event names the
 * prompt (`RegistryEventsListener`), so a promotion or rollback takes effect at once. An expired
 * look-up is served while it is refreshed in the background (`RefreshingCache`), so a request does
 * not wait for the registry's database once the prompt has been seen.
 */
@Injectable()
export class PromptResolver {
  private readonly cache = new RefreshingCache<Found>({ freshMs: PROMPT_CACHE_TTL_MS, maxStaleMs: PROMPT_CACHE_MAX_STALE_MS });

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  /** Without a `requestId` a label gives its own version, never the canary. */
  async resolve(ref: PromptRef, requestId?: string): Promise<ResolvedPromptWithTemplate | null> {
    const label = ref.version === undefined ? (ref.label ?? DEFAULT_LABEL) : null;
    const key = `${ref.name}\u0000${label === null ? `v${ref.version}` : `l${label}`}`;
    const found = await this.cache.get(
      key,
      () => (label === null ? this.deps.registry.resolve(ref.name, { version: ref.version! }) : this.deps.registry.resolveLabel(ref.name, label)),
      // Misses are not kept: the next request asks again.
      (v) => v !== null,
    );
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
    this.cache.invalidate((key) => key.startsWith(`${name}\u0000`));
  }
}
