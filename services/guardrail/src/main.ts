import { startTelemetry } from '#observability';
import { guardrailConfig } from './guardrail.config.js';

const config = guardrailConfig.loadOrExit();
await startTelemetry({ serviceName: 'guardrail', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
const { runDistributedService } = await import('#runtime');
const { GuardrailModule } = await import('./guardrail.module.js');
await runDistributedService('guardrail', config, ({ publisher }) =>
  GuardrailModule.register({ publisher, limits: { maxInputChars: config.GUARDRAIL_MAX_INPUT_CHARS, maxVariableChars: config.GUARDRAIL_MAX_VARIABLE_CHARS } }),
);
