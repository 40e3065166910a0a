import { defineConfig, durationMs, int, serviceConfig, type Config } from '#config';
import { fraction, providerConfigFields } from '#models';

export { providerSpecs, ProviderSpec } from '#models';

export const inferenceConfig = defineConfig(
  serviceConfig(
    {
      /** Upper bound for a request without a deadline (all calls, retries and fallbacks together). */
      INFERENCE_DEFAULT_TIMEOUT_MS: durationMs().default(60_000),
      ...providerConfigFields,
      INFERENCE_MAX_ATTEMPTS: int({ min: 1, max: 10 }).default(3),
      INFERENCE_RETRY_BASE_MS: durationMs().default(250),
      INFERENCE_RETRY_MAX_MS: durationMs().default(8_000),
      INFERENCE_MAX_RETRY_AFTER_MS: durationMs().default(30_000),
      INFERENCE_STREAM_IDLE_TIMEOUT_MS: durationMs().default(30_000),
      INFERENCE_ATTEMPT_TIMEOUT_MS: durationMs().optional(),
      INFERENCE_CIRCUIT_FAILURE_RATE: fraction().default(0.5),
      INFERENCE_CIRCUIT_MIN_CALLS: int({ min: 1 }).default(10),
      INFERENCE_CIRCUIT_WINDOW_MS: durationMs().default(30_000),
      INFERENCE_CIRCUIT_COOLDOWN_MS: durationMs().default(15_000),
      INFERENCE_MAX_CONCURRENT: int({ min: 1, max: 100_000 }).default(256),
      INFERENCE_MAX_QUEUED: int({ min: 0, max: 1_000_000 }).default(1_024),
      INFERENCE_MAX_REASKS: int({ min: 0, max: 5 }).default(2),
      INFERENCE_HEARTBEAT_MS: durationMs().default(3_000),
      SIMULATOR_TTFT_MS: int({ min: 0 }).default(0),
      SIMULATOR_TOKENS_PER_SECOND: int({ min: 0 }).default(0),
    },
    { requiredInDistributed: ['DATABASE_URL'] },
  ),
);

export type InferenceConfig = Config<typeof inferenceConfig.schema>;

