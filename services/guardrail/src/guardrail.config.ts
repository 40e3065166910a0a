import { defineConfig, int, serviceConfig } from '#config';
import { z } from 'zod';

export const guardrailConfig = defineConfig(
  serviceConfig({
    GUARDRAIL_MAX_INPUT_CHARS: int({ min: 1 }).default(200_000),
    GUARDRAIL_MAX_VARIABLE_CHARS: int({ min: 1 }).default(100_000),
    /** JSON list of model detectors prompts may name: [{"name","kind":"openai-moderation|classifier|chat-classifier","url","apiKeyEnv?","model?"}]. */
    GUARDRAIL_MODEL_DETECTORS: z.string().optional(),
    /** Default time box for one model-detector call. */
    GUARDRAIL_MODEL_TIMEOUT_MS: int({ min: 10, max: 30_000 }).default(500),
  }),
);
export type GuardrailConfig = ReturnType<typeof guardrailConfig.load>;
