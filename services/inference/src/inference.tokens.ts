import type { Publisher } from '#messaging';
import type { ProcessedMessageStore } from '#persistence';
import type { Provider } from './providers/provider.js';

export const INFERENCE_DEPS = Symbol('INFERENCE_DEPS');

export interface InferenceDeps {
  publisher: Publisher;
  providers: Provider[];
  /** Completions already obtained, so a redelivered request never calls the provider twice. */
  ledger: ProcessedMessageStore;
  /** Upper bound for one call when the request has no deadline. */
  defaultTimeoutMs: number;
}
