import { ConfigError, EX_CONFIG } from '#config';
import { configureObservability, startTelemetry } from '#observability';
import { inferenceConfig, providerSpecs } from './inference.config.js';

const config = inferenceConfig.loadOrExit();
configureObservability(config);
try {
  providerSpecs(config); // keys named by apiKeyEnv must be there before anything connects
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EX_CONFIG);
}
await startTelemetry({ serviceName: 'inference', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore } = await import('#persistence');
const { InferenceModule } = await import('./inference.module.js');
const { inferenceDepsFromConfig } = await import('./inference.deps.js');
await runDistributedService(
  'inference',
  config,
  ({ publisher, transport, dataSource }) => InferenceModule.register(inferenceDepsFromConfig(config, { publisher, transport, ledger: new TypeormProcessedMessageStore(dataSource!) })),
  { needsDatabase: true },
);
