import { TOPICS, createEnvelope, type UsageEvent } from '#contracts';
import type { Publisher } from '#messaging';
import { counter } from '#observability';

const dropped = () =>
  counter({ name: 'ballast_cache_embedding_usage_dropped_total', help: 'Usage events of embedding calls the bus did not accept (the call itself went on)' });

/**
 * Publishes the embedder's usage events on `ballast.usage.v1` (where metrics counts tokens and cost
 * by kind `cache`), without holding up the look-up that paid for the embedding.
 */
export function publishEmbeddingUsage(publisher: Publisher): (event: UsageEvent) => void {
  return (event) => {
    publisher.publish(TOPICS.usage, createEnvelope(TOPICS.usage, event, { requestId: event.requestId, tenantId: event.tenantId })).catch(() => dropped().inc());
  };
}
