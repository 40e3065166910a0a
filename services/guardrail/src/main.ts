import { startTelemetry } from '#observability';
import { guardrailConfig } from './guardrail.config.js';

const config = guardrailConfig.loadOrExit();
await startTelemetry({ serviceName: 'guardrail', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { TypeormProcessedMessageStore } = await import('#persistence');
const { GuardrailModule } = await import('./guardrail.module.js');
const { ModelDetectorRegistry } = await import('./detectors/model/model-detector.js');
const { modelDetectorsFrom } = await import('./detectors/model/http.model-detectors.js');
let modelDetectors: InstanceType<typeof ModelDetectorRegistry>;
try {
  modelDetectors = new ModelDetectorRegistry(modelDetectorsFrom(config.GUARDRAIL_MODEL_DETECTORS), config.GUARDRAIL_MODEL_TIMEOUT_MS);
} catch (error) {
  process.stderr.write(`GUARDRAIL_MODEL_DETECTORS is invalid: ${(error as Error).message}\n`);
  process.exit(78);
}
await runDistributedService(
  'guardrail',
  config,
  ({ publisher, dataSource }) =>
    GuardrailModule.register({
      publisher,
      limits: { maxInputChars: config.GUARDRAIL_MAX_INPUT_CHARS, maxVariableChars: config.GUARDRAIL_MAX_VARIABLE_CHARS },
      // The guardrail publishes the final outcomes: the ledger keeps a redelivery from answering twice.
      ...(dataSource ? { outcomes: new TypeormProcessedMessageStore(dataSource) } : {}),
      modelDetectors,
    }),
  { needsDatabase: true },
);
