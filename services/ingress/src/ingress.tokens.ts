import type { Publisher, Transport } from '#messaging';
import type { ProcessedMessageStore, PromptRegistryRepository, TenantRepository } from '#persistence';

export const INGRESS_DEPS = Symbol('INGRESS_DEPS');

export interface IngressLimits {
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  defaultMaxTokens: number;
}

/** What ingress needs from outside: the bus, the registry, tenants and the idempotency ledger. */
export interface IngressDeps {
  transport: Transport;
  publisher: Publisher;
  registry: PromptRegistryRepository;
  tenants: TenantRepository;
  ledger: ProcessedMessageStore;
  /** Distinguishes this replica: its waiter consumer group sees every outcome. */
  instanceId: string;
  limits: IngressLimits;
  concurrency: number;
}
