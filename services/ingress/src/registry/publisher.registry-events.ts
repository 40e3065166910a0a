import { TOPICS, createEnvelope, type RegistryEvent } from '#contracts';
import type { Publisher } from '#messaging';
import type { RegistryEventEmitter } from '#persistence';

/** Registry changes belong to no tenant; the envelope still needs one. */
export const REGISTRY_TENANT = 'ballast-registry';

/**
 * Emits registry events on `ballast.registry.v1`, keyed by prompt name so the events of one prompt
 * stay in order. Resolves once the bus has accepted the record.
 */
export class PublisherRegistryEvents implements RegistryEventEmitter {
  constructor(private readonly publisher: Publisher) {}

  emit(event: RegistryEvent): Promise<void> {
    return this.publisher.publish(TOPICS.registry, createEnvelope(TOPICS.registry, event, { requestId: `prompt:${event.name}`, tenantId: REGISTRY_TENANT }));
  }
}
