import type { Publisher, Transport } from '#messaging';
import type { ProcessedMessageStore, PromotionGate, PromptRegistryRepository, TenantRepository } from '#persistence';

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
  /** `BALLAST_ADMIN_KEY`: the bearer key of `/v1/admin/*`; absent, the admin API is off. */
  adminKey?: string | null;
  /** Checks a version before it takes traffic; absent, promotions are not gated (the answer says so). */
  promotionGate?: PromotionGate | null;
}
