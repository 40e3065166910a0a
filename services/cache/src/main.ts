import { configureObservability, startTelemetry } from '#observability';
import { cacheConfig } from './cache.config.js';

const config = cacheConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'cache', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { CacheModule } = await import('./cache.module.js');
const { cacheDepsFromConfig } = await import('./cache.deps.js');
await runDistributedService('cache', config, ({ publisher, dataSource }) => CacheModule.register(cacheDepsFromConfig(config, { publisher, dataSource })), { needsDatabase: true });
