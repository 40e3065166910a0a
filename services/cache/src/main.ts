import { startTelemetry } from '#observability';
import { cacheConfig } from './cache.config.js';

const config = cacheConfig.loadOrExit();
await startTelemetry({ serviceName: 'cache', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { CacheModule } = await import('./cache.module.js');
const { MemoryCacheStore } = await import('./store/memory.cache-store.js');
await runDistributedService('cache', config, ({ publisher }) =>
  CacheModule.register({ publisher, store: new MemoryCacheStore(config.CACHE_MAX_ENTRIES), defaultTtlSeconds: config.CACHE_DEFAULT_TTL_SECONDS }),
);
