import { configureObservability, startTelemetry } from '#observability';
import { metricsConfig } from './metrics.config.js';

const config = metricsConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'metrics', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { MetricsModule } = await import('./metrics.module.js');
const { metricsDepsFromConfig } = await import('./metrics.deps.js');
await runDistributedService('metrics', config, (platform) => MetricsModule.register(metricsDepsFromConfig(config, platform)));
