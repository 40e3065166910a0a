import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, type Envelope, type PipelineState } from '#contracts';
import { runPipelineStep } from '#messaging';
import { CACHE_DEPS, type CacheDeps } from '../cache.tokens.js';
import { cachePolicyOf, exactCacheKey } from './cache-key.js';

/** A hit goes straight to the output guardrail with the stored answer; a miss goes to inference. */
@Injectable()
export class LookupCacheUseCase {
  constructor(@Inject(CACHE_DEPS) private readonly deps: CacheDeps) {}

  execute(envelope: Envelope<PipelineState>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'cache', publisher: this.deps.publisher }, async (state) => {
      const mode = state.request.options.cache;
      const policy = cachePolicyOf(state, this.deps.defaultTtlSeconds);
      const cacheable = policy.enabled && (state.rendered.temperature === 0 || policy.cacheSampled);
      if (mode === 'bypass' || !cacheable) {
        return { next: TOPICS.inference, state: { ...state, cache: { outcome: 'bypass' } } };
      }
      const key = exactCacheKey(state);
      const hit = mode === 'refresh' ? null : await this.deps.store.get(key);
      if (hit) {
        return { next: TOPICS.guardOutput, state: { ...state, completion: hit, cache: { outcome: 'hit-exact', key } } };
      }
      return { next: TOPICS.inference, state: { ...state, cache: { outcome: 'miss', key, storeTtlSeconds: policy.ttlSeconds } } };
    });
  }
}
