import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import type { Publisher, Transport } from '#messaging';
import { EvalRunPromotionGate, TypeormEvalRunRepository, TypeormPromptRegistryRepository, TypeormTenantRepository, type ProcessedMessageStore } from '#persistence';
import type { IngressConfig } from './ingress.config.js';
import type { IngressDeps } from './ingress.tokens.js';

/** What the running mode provides: the bus, the database and the idempotency ledger on it. */
export interface IngressPlatform {
  transport: Transport;
  publisher: Publisher;
  dataSource: DataSource;
  ledger: ProcessedMessageStore;
  /** Overrides `INGRESS_INSTANCE_ID` (embedded mode runs several replicas in one process). */
  instanceId?: string;
}

/** The ingress stage's dependencies from its parsed configuration (distributed and embedded mode alike). */
export function ingressDepsFromConfig(config: IngressConfig, platform: IngressPlatform): IngressDeps {
  return {
    transport: platform.transport,
    publisher: platform.publisher,
    registry: new TypeormPromptRegistryRepository(platform.dataSource),
    promotionGate: new EvalRunPromotionGate(new TypeormEvalRunRepository(platform.dataSource)),
    tenants: new TypeormTenantRepository(platform.dataSource),
    ledger: platform.ledger,
    instanceId: platform.instanceId ?? config.INGRESS_INSTANCE_ID ?? `${hostname()}-${config.BALLAST_PORT}`,
    limits: { defaultTimeoutMs: config.INGRESS_DEFAULT_TIMEOUT_MS, maxTimeoutMs: config.INGRESS_MAX_TIMEOUT_MS, defaultMaxTokens: config.INGRESS_DEFAULT_MAX_TOKENS },
    concurrency: config.BALLAST_CONSUMER_CONCURRENCY,
    adminKey: config.BALLAST_ADMIN_KEY ?? null,
  };
}

/** The HTTP adapter's settings for an ingress app: requests over `INGRESS_MAX_BODY_BYTES` get 413. */
export function ingressHttpOptions(config: IngressConfig): { bodyLimit: number } {
  return { bodyLimit: config.INGRESS_MAX_BODY_BYTES };
}
