import { startTelemetry } from '#observability';
import { metricsConfig } from './metrics.config.js';

const config = metricsConfig.loadOrExit();
await startTelemetry({ serviceName: 'metrics', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { MetricsModule } = await import('./metrics.module.js');
await runDistributedService('metrics', config, () => MetricsModule.register());
