import type { Publisher } from '#messaging';

export const GUARDRAIL_DEPS = Symbol('GUARDRAIL_DEPS');

/** What the guardrail needs from outside: where to publish, and its limits. */
export interface GuardrailDeps {
  publisher: Publisher;
  limits: { maxInputChars: number; maxVariableChars: number };
}
