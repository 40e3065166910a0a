import { configureObservability, startTelemetry } from '#observability';
import { ingressConfig } from './ingress.config.js';

const config = ingressConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'ingress', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore } = await import('#persistence');
const { IngressModule } = await import('./ingress.module.js');
const { ingressDepsFromConfig, ingressHttpOptions } = await import('./ingress.deps.js');
await runDistributedService(
  'ingress',
  config,
  ({ transport, publisher, dataSource }) =>
    IngressModule.register(ingressDepsFromConfig(config, { transport, publisher, dataSource: dataSource!, ledger: new TypeormProcessedMessageStore(dataSource!) })),
  { needsDatabase: true, ...ingressHttpOptions(config) },
);
