import { hostname } from 'node:os';
import type { Publisher, Transport } from '#messaging';
import type { ProcessedMessageStore } from '#persistence';
import { providerSpecs, type InferenceConfig } from './inference.config.js';
import type { InferenceDeps } from './inference.tokens.js';
import { PRICE_TABLE, withLocalPrices, createProviders, type SimulatorOptions } from '#models';

/** The inference stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function inferenceDepsFromConfig(
  config: InferenceConfig,
  platform: { publisher: Publisher; ledger: ProcessedMessageStore; simulator?: SimulatorOptions; transport?: Transport },
  env: NodeJS.ProcessEnv = process.env,
): InferenceDeps {
  const simulator = platform.simulator ?? { ttftMs: config.SIMULATOR_TTFT_MS, tokensPerSecond: config.SIMULATOR_TOKENS_PER_SECOND };
  return {
    publisher: platform.publisher,
    ledger: platform.ledger,
    ...(platform.transport ? { transport: platform.transport, instanceId: `${hostname()}-${process.pid}` } : {}),
    providers: createProviders(providerSpecs(config, env), { simulator }),
    defaultTimeoutMs: config.INFERENCE_DEFAULT_TIMEOUT_MS,
    routing: {
      ...(config.INFERENCE_MODEL_ROUTES ? { routes: config.INFERENCE_MODEL_ROUTES } : {}),
      ...(config.INFERENCE_FALLBACK_MODELS ? { fallbacks: config.INFERENCE_FALLBACK_MODELS } : {}),
    },
    retry: {
      maxAttempts: config.INFERENCE_MAX_ATTEMPTS,
      baseDelayMs: config.INFERENCE_RETRY_BASE_MS,
      maxDelayMs: config.INFERENCE_RETRY_MAX_MS,
      maxRetryAfterMs: config.INFERENCE_MAX_RETRY_AFTER_MS,
    },
    circuit: {
      failureRateThreshold: config.INFERENCE_CIRCUIT_FAILURE_RATE,
      minimumCalls: config.INFERENCE_CIRCUIT_MIN_CALLS,
      windowMs: config.INFERENCE_CIRCUIT_WINDOW_MS,
      cooldownMs: config.INFERENCE_CIRCUIT_COOLDOWN_MS,
      halfOpenProbes: 1,
    },
    bulkhead: { maxConcurrent: config.INFERENCE_MAX_CONCURRENT, maxQueued: config.INFERENCE_MAX_QUEUED },
    idleTimeoutMs: config.INFERENCE_STREAM_IDLE_TIMEOUT_MS,
    ...(config.INFERENCE_ATTEMPT_TIMEOUT_MS ? { attemptTimeoutMs: config.INFERENCE_ATTEMPT_TIMEOUT_MS } : {}),
    maxReasks: config.INFERENCE_MAX_REASKS,
    heartbeatMs: config.INFERENCE_HEARTBEAT_MS,
    prices: withLocalPrices(PRICE_TABLE, config.INFERENCE_PRICES),
  };
}
