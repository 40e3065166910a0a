import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, type Envelope, type PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { CACHE_DEPS, type CacheDeps } from '../cache.tokens.js';
import { cachePolicyOf, exactCacheKey } from './cache-key.js';
import { semanticRefOf, semanticScopeOf } from './semantic-key.js';

/**
 * Exact match first, then (policy mode `semantic`) the nearest verified question in the same scope.
 * A hit goes straight to the output guardrail with the stored answer; a miss goes to inference.
 */
@Injectable()
export class LookupCacheUseCase {
  constructor(@Inject(CACHE_DEPS) private readonly deps: CacheDeps) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'cache', publisher: this.deps.publisher }, async (state) => {
      const mode = state.request.options.cache;
      const policy = cachePolicyOf(state, this.deps.defaultTtlSeconds, this.deps.defaultMode);
      const cacheable = policy.enabled && (state.rendered.temperature === 0 || policy.cacheSampled);
      if (mode === 'bypass' || !cacheable) {
        return { next: TOPICS.inference, state: { ...state, cache: { outcome: 'bypass' } } };
      }
      const key = exactCacheKey(state);
      const hit = mode === 'refresh' ? null : await this.deps.store.get(key);
      if (hit) {
        return { next: TOPICS.guardOutput, state: { ...state, completion: hit, cache: { outcome: 'hit-exact', key } } };
      }
      const semantic = policy.mode === 'semantic' && this.deps.semantic ? semanticRefOf(state) : null;
      if (semantic && mode !== 'refresh') {
        const scope = semanticScopeOf(state.request.tenantId, state.prompt, semantic);
        const deadline = envelope.deadline ? new Date(envelope.deadline) : null;
        const near = await this.deps.semantic!.lookup(semantic.text, scope, { threshold: policy.threshold, deadline, requestId: envelope.requestId });
        if (near) {
          const cache = { outcome: 'hit-semantic' as const, key: near.key, similarity: near.similarity, threshold: near.threshold };
          return { next: TOPICS.guardOutput, state: { ...state, completion: near.completion, cache } };
        }
      }
      return {
        next: TOPICS.inference,
        state: { ...state, cache: { outcome: 'miss', key, storeTtlSeconds: policy.ttlSeconds, ...(semantic ? { semantic } : {}) } },
      };
    });
  }
}
