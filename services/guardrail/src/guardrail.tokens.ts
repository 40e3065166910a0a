import type { OutcomeLedger, Publisher } from '#messaging';
import type { InjectionClassifier } from './detectors/injection/classifier/injection-classifier.js';
import type { ModelDetectorRegistry } from './detectors/model/model-detector.js';

export const GUARDRAIL_DEPS = Symbol('GUARDRAIL_DEPS');

/** What the guardrail needs from outside: where to publish, and its limits. */
export interface GuardrailDeps {
  publisher: Publisher;
  limits: { maxInputChars: number; maxVariableChars: number };
  /** Outcomes already published (Postgres in distributed mode): a redelivered message does not answer twice. */
  outcomes?: OutcomeLedger;
  /** Model-based detectors (moderation, classifiers) that prompt policies can name. */
  modelDetectors?: ModelDetectorRegistry;
  /** The injection classifier with the weights GUARDRAIL_INJECTION_MODEL names (the shipped ones when left out). */
  injectionClassifier?: InjectionClassifier;
}
