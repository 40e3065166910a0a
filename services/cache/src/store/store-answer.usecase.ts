import { Inject, Injectable } from '@nestjs/common';
import type { Completion, Envelope, LlmResponse } from '#contracts';
import { CACHE_DEPS, type CacheDeps } from '../cache.tokens.js';
import { semanticScopeOf } from '../lookup/semantic-key.js';

/** Stores answers that completed through inference and passed the output guardrail (exact, and semantic when the look-up asked). */
@Injectable()
export class StoreAnswerUseCase {
  constructor(@Inject(CACHE_DEPS) private readonly deps: CacheDeps) {}

  async execute(envelope: Envelope<LlmResponse>): Promise<void> {
    const r = envelope.payload;
    if (r.status !== 'completed' || r.source !== 'inference' || !r.cacheStore || r.content === null || !r.usage) return;
    const completion: Completion = {
      content: r.content,
      ...(r.parsed === undefined ? {} : { parsed: r.parsed }),
      model: r.model ?? 'unknown',
      provider: 'cache',
      // A hit answers with the stored reason (a cut at max tokens stays `length`).
      finishReason: r.finishReason ?? 'stop',
      // A cached answer costs nothing to serve again: keep the token counts, drop the price.
      usage: { ...r.usage, costUsd: 0, cachedTokens: r.usage.inputTokens },
      ttftMs: null,
      durationMs: 0,
    };
    const scope = { tenantId: r.tenantId, promptName: r.prompt?.name ?? null, promptVersion: r.prompt?.version ?? null, model: r.model };
    const now = new Date();
    await this.deps.store.set(r.cacheStore.key, completion, r.cacheStore.ttlSeconds, { scope, now });
    const semantic = r.cacheStore.semantic;
    if (semantic && this.deps.semantic) {
      const expiresAt = new Date(now.getTime() + r.cacheStore.ttlSeconds * 1000);
      await this.deps.semantic.store({ key: r.cacheStore.key, text: semantic.text, scope: semanticScopeOf(r.tenantId, r.prompt, semantic), completion, expiresAt, requestId: r.requestId });
    }
  }
}
