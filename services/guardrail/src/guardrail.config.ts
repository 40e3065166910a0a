import { defineConfig, int, serviceConfig } from '#config';

export const guardrailConfig = defineConfig(
  serviceConfig({
    GUARDRAIL_MAX_INPUT_CHARS: int({ min: 1 }).default(200_000),
    GUARDRAIL_MAX_VARIABLE_CHARS: int({ min: 1 }).default(100_000),
  }),
);
export type GuardrailConfig = ReturnType<typeof guardrailConfig.load>;
