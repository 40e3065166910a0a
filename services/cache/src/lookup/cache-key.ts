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
}

export function cachePolicyOf(state: PipelineState, defaultTtlSeconds: number): CachePolicy {
  const p = state.prompt?.policies.cache ?? {};
  const ttl = typeof p['ttlSeconds'] === 'number' && p['ttlSeconds'] > 0 ? Math.floor(p['ttlSeconds']) : defaultTtlSeconds;
  return { enabled: p['enabled'] !== false, ttlSeconds: ttl, cacheSampled: p['cacheNonDeterministic'] === true };
}
