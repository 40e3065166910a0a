import { configureObservability, startTelemetry } from '#observability';
import { guardrailConfig } from './guardrail.config.js';

const config = guardrailConfig.loadOrExit();
configureObservability(config);
await startTelemetry({ serviceName: 'guardrail', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore } = await import('#persistence');
const { GuardrailModule } = await import('./guardrail.module.js');
const { guardrailDepsFromConfig } = await import('./guardrail.deps.js');
await runDistributedService(
  'guardrail',
  config,
  ({ publisher, dataSource }) =>
    GuardrailModule.register(guardrailDepsFromConfig(config, { publisher, ...(dataSource ? { outcomes: new TypeormProcessedMessageStore(dataSource) } : {}) })),
  { needsDatabase: true },
);
