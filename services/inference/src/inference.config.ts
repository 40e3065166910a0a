import { defineConfig, durationMs, int, serviceConfig } from '#config';

export const inferenceConfig = defineConfig(
  serviceConfig(
    {
      INFERENCE_DEFAULT_TIMEOUT_MS: durationMs().default(60_000),
      SIMULATOR_TTFT_MS: int({ min: 0 }).default(0),
      SIMULATOR_TOKENS_PER_SECOND: int({ min: 0 }).default(0),
    },
    { requiredInDistributed: ['DATABASE_URL'] },
  ),
);
