import { hostname } from 'node:os';
import { startTelemetry } from '#observability';
import { ingressConfig } from './ingress.config.js';

const config = ingressConfig.loadOrExit();
await startTelemetry({ serviceName: 'ingress', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore, TypeormPromptRegistryRepository, TypeormTenantRepository } = await import('#persistence');
const { IngressModule } = await import('./ingress.module.js');
await runDistributedService(
  'ingress',
  config,
  ({ transport, publisher, dataSource }) =>
    IngressModule.register({
      transport,
      publisher,
      registry: new TypeormPromptRegistryRepository(dataSource!),
      tenants: new TypeormTenantRepository(dataSource!),
      ledger: new TypeormProcessedMessageStore(dataSource!),
      instanceId: config.INGRESS_INSTANCE_ID ?? `${hostname()}-${config.BALLAST_PORT}`,
      limits: { defaultTimeoutMs: config.INGRESS_DEFAULT_TIMEOUT_MS, maxTimeoutMs: config.INGRESS_MAX_TIMEOUT_MS, defaultMaxTokens: config.INGRESS_DEFAULT_MAX_TOKENS },
      concurrency: config.BALLAST_CONSUMER_CONCURRENCY,
    }),
  { needsDatabase: true },
);
