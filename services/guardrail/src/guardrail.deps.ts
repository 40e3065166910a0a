import type { OutcomeLedger, Publisher } from '#messaging';
import { InjectionClassifier, loadInjectionModel } from './detectors/injection/classifier/injection-classifier.js';
import { modelDetectorsFrom } from './detectors/model/http.model-detectors.js';
import { ModelDetectorRegistry } from './detectors/model/model-detector.js';
import type { GuardrailConfig } from './guardrail.config.js';
import type { GuardrailDeps } from './guardrail.tokens.js';

/** What the running mode provides: where to publish, and the ledger of outcomes already published. */
export interface GuardrailPlatform {
  publisher: Publisher;
  outcomes?: OutcomeLedger;
}

/**
 * The guardrail stage's dependencies from its parsed configuration (distributed and embedded mode
 * alike). `env` is read only for the API keys that `GUARDRAIL_MODEL_DETECTORS` names by variable.
 */
export function guardrailDepsFromConfig(config: GuardrailConfig, platform: GuardrailPlatform, env: NodeJS.ProcessEnv = process.env): GuardrailDeps {
  return {
    publisher: platform.publisher,
    limits: { maxInputChars: config.GUARDRAIL_MAX_INPUT_CHARS, maxVariableChars: config.GUARDRAIL_MAX_VARIABLE_CHARS },
    // The guardrail publishes the final outcomes: the ledger keeps a redelivery from answering twice.
    ...(platform.outcomes ? { outcomes: platform.outcomes } : {}),
    injectionClassifier: new InjectionClassifier(loadInjectionModel(config.GUARDRAIL_INJECTION_MODEL)),
    modelDetectors: new ModelDetectorRegistry(modelDetectorsFrom(config.GUARDRAIL_MODEL_DETECTORS, env), config.GUARDRAIL_MODEL_TIMEOUT_MS),
  };
}
