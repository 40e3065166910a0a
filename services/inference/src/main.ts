import { startTelemetry } from '#observability';
import { inferenceConfig } from './inference.config.js';

const config = inferenceConfig.loadOrExit();
await startTelemetry({ serviceName: 'inference', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore } = await import('#persistence');
const { InferenceModule } = await import('./inference.module.js');
const { SimulatorProvider } = await import('./providers/simulator.provider.js');
await runDistributedService(
  'inference',
  config,
  ({ publisher, dataSource }) =>
    InferenceModule.register({
      publisher,
      providers: [new SimulatorProvider({ ttftMs: config.SIMULATOR_TTFT_MS, tokensPerSecond: config.SIMULATOR_TOKENS_PER_SECOND })],
      ledger: new TypeormProcessedMessageStore(dataSource!),
      defaultTimeoutMs: config.INFERENCE_DEFAULT_TIMEOUT_MS,
    }),
  { needsDatabase: true },
);
