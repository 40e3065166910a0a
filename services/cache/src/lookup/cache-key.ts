import { createHash } from 'node:crypto';
import { messagesWithoutCanary, type PipelineState } from '#contracts';

/**
 * The exact-match key: a hash over the scope (tenant, prompt name and version, model, the
 * parameters that change the answer) and the rendered messages without the guardrail's canary
 * marker (a fresh random token per request). Scope is inside the hash, so two tenants or two
 * prompt versions can never share an entry.
 */
export function exactCacheKey(state: PipelineState): string {
  const { rendered, request, prompt, guard } = state;
  const canonical = JSON.stringify([
    'v1',
    request.tenantId,
    prompt?.name ?? null,
    prompt?.version ?? null,
    rendered.model,
    rendered.temperature,
    rendered.maxTokens,
    rendered.responseFormat ?? null,
    messagesWithoutCanary(rendered.messages, guard?.canary).map((m) => [m.role, m.content]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface CachePolicy {
  enabled: boolean;
  ttlSeconds: number;
  /** Whether answers sampled at temperature > 0 may be served again. */
  cacheSampled: boolean;
  /** `semantic` also serves the answer of a similar enough, verified question. */
  mode: 'exact' | 'semantic';
  /** Similarity a semantic hit must reach; null leaves the service default. */
  threshold: number | null;
}

/** The prompt's `policies.cache` (`enabled`, `mode`, `threshold`, `ttlSeconds`, `cacheNonDeterministic`), defaults filled in. */
export function cachePolicyOf(state: PipelineState, defaultTtlSeconds: number, defaultMode: CachePolicy['mode'] = 'exact'): CachePolicy {
  const p = state.prompt?.policies.cache ?? {};
  const ttl = typeof p['ttlSeconds'] === 'number' && p['ttlSeconds'] > 0 ? Math.floor(p['ttlSeconds']) : defaultTtlSeconds;
  const threshold = typeof p['threshold'] === 'number' && p['threshold'] >= 0 && p['threshold'] <= 1 ? p['threshold'] : null;
  const mode = p['mode'] === 'semantic' || p['mode'] === 'exact' ? p['mode'] : defaultMode;
  return { enabled: p['enabled'] !== false, ttlSeconds: ttl, cacheSampled: p['cacheNonDeterministic'] === true, mode, threshold };
}
