import type { Publisher, Transport } from '#messaging';
import type { Logger } from '#observability';
import type { ProcessedMessageStore } from '#persistence';
import { type PriceTable, type Provider, type CircuitBreakerSettings, type Clock, type CallTelemetry, type ProviderRetryPolicy, type RoutingRules } from '#models';

export const INFERENCE_DEPS = Symbol('INFERENCE_DEPS');

/** What the inference stage needs; everything after `defaultTimeoutMs` has a production default. */
export interface InferenceDeps {
  publisher: Publisher;
  /** In routing order: the first provider whose model patterns match serves the model. */
  providers: Provider[];
  /** Completions already obtained, so a redelivered request never calls the provider twice. */
  ledger: ProcessedMessageStore;
  /** Upper bound for all calls of a request (retries and fallbacks included) when it has no deadline. */
  defaultTimeoutMs: number;
  routing?: RoutingRules;
  retry?: ProviderRetryPolicy;
  circuit?: CircuitBreakerSettings;
  /** Per provider, unless the provider sets its own `maxConcurrent`. */
  bulkhead?: { maxConcurrent: number; maxQueued: number };
  /** A stream silent this long has stalled. */
  idleTimeoutMs?: number;
  attemptTimeoutMs?: number;
  /** Re-asks after a structured answer fails its schema. */
  maxReasks?: number;
  /** How often the consumer's heartbeat is sent while a call runs. */
  heartbeatMs?: number;
  prices?: PriceTable;
  clock?: Clock;
  random?: () => number;
  telemetry?: CallTelemetry;
  /** Where operator warnings go (an unpriced model); defaults to the service's JSON logger. */
  logger?: Logger;
  /** The bus, for this replica's own consumer of stream cancels; without it a client's cancel does not reach the call. */
  transport?: Transport;
  /** Names this replica's cancel consumer group (every replica sees every cancel). */
  instanceId?: string;
}
