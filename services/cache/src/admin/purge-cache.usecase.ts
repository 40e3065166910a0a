import { Inject, Injectable } from '@nestjs/common';
import type { CachePurge, Envelope } from '#contracts';
import { counter, createLogger } from '#observability';
import { CACHE_DEPS, type CacheDeps } from '../cache.tokens.js';
import { purgeCache } from '../store/cache-admin.js';

const purged = () =>
  counter({
    name: 'ballast_cache_purged_entries_total',
    help: 'Cache entries an operator purge deleted (ballast cache purge, DELETE /v1/admin/cache), by layer',
    labelNames: ['layer'],
    labelBounds: { layer: ['exact', 'semantic'] },
  });

const orders = () => counter({ name: 'ballast_cache_purges_total', help: 'Operator purge orders the cache stage carried out' });

/** Carries out a purge the admin API ordered on `ballast.cache-admin.v1` (the same `purgeCache` the CLI runs). */
@Injectable()
export class PurgeCacheUseCase {
  private readonly log = createLogger({ service: 'cache' }).child({ logger: 'ballast.cache-purge' });

  constructor(@Inject(CACHE_DEPS) private readonly deps: CacheDeps) {}

  async execute(envelope: Envelope<CachePurge>): Promise<void> {
    const order = envelope.payload;
    const selector = {
      promptName: order.promptName,
      ...(order.promptVersion === null ? {} : { promptVersion: order.promptVersion }),
      ...(order.tenantId === null ? {} : { tenantId: order.tenantId }),
    };
    const result = await purgeCache({ dataSource: this.deps.dataSource, store: this.deps.store, semantic: this.deps.semantic }, selector);
    orders().inc();
    purged().inc({ layer: 'exact' }, result.exact);
    if (result.semantic !== null) purged().inc({ layer: 'semantic' }, result.semantic);
    this.log.info({ purgeId: envelope.requestId, actor: order.actor, ...selector, exact: result.exact, semantic: result.semantic }, 'cache purged');
  }
}
