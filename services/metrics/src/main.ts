import { configureObservability, startTelemetry } from '#observability';
import { metricsConfig } from './metrics.config.js';

const config = metricsConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'metrics', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { MetricsModule } = await import('./metrics.module.js');
const { metricsDepsFromConfig } = await import('./metrics.deps.js');
// Postgres keeps the per-minute history when DATABASE_URL is set; without it the history lives in memory only.
await runDistributedService('metrics', config, (platform) => MetricsModule.register(metricsDepsFromConfig(config, platform)), { needsDatabase: true });
