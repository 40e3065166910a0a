export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
  /** Models the tenant may name in ad-hoc (OpenAI-compatible) requests; empty = none. */
  allowedModels: string[];
  /** Limits by name, e.g. `{ requestsPerMinute: 600, tokensPerDay: 1000000 }`; enforced by ingress. */
  quotas: Record<string, number>;
}

export interface TenantInput {
  id: string;
  name: string;
  /** Left as stored when omitted on an update; `[]` for a new tenant. */
  allowedModels?: string[];
  /** Left as stored when omitted on an update; `{}` for a new tenant. */
  quotas?: Record<string, number>;
}

/** An API key as stored: never the key itself, only its sha256 and the first characters. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  prefix: string;
  /** Who made the key, e.g. `seed`; null for keys created without one. */
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** One lease from a tenant's budget for one quota window. */
export interface QuotaRequest {
  tenantId: string;
  /** The quota's name, e.g. `requestsPerMinute`. */
  quota: string;
  /** Start of the window; every replica computes the same one. */
  windowStart: Date;
  /** How many units the caller would like now. */
  requested: number;
  /** The window's budget; the total granted in a window never exceeds it. */
  limit: number;
}

export interface QuotaGrant {
  /** Units granted now: `requested`, or fewer when the budget runs out (0 when it has). */
  granted: number;
  /** Units granted to every caller in this window so far, this grant included. */
  used: number;
}

/** The label `seedDefaults` gives the key it creates from `BALLAST_API_KEY`. */
export const SEED_KEY_LABEL = 'seed';

/** Tenants and their API keys. Keys are looked up by the sha256 of the presented plaintext. */
export interface TenantRepository {
  upsertTenant(input: TenantInput): Promise<Tenant>;
  findTenant(id: string): Promise<Tenant | null>;
  /**
   * Stores the hash of `plaintext` for `tenantId`. Registering the same key again for the same
   * tenant returns the existing record.
   *
   * @throws BallastError `ballast.invalid_request` for an unknown tenant, a short key, or a key another tenant uses
   */
  createApiKey(tenantId: string, plaintext: string): Promise<ApiKeyRecord>;
  /** The tenant owning a non-revoked key, or null. */
  findTenantByApiKey(plaintext: string): Promise<Tenant | null>;
  /** Revokes a key by id; revoking twice keeps the first time. */
  revokeApiKey(id: string): Promise<void>;
  /**
   * Makes `plaintext` the tenant's one live key with `label` (e.g. the seeded key): registers it
   * (reinstating it when it had been revoked) and revokes the tenant's other keys with that label.
   * Keys with another label or none are left alone.
   *
   * @throws BallastError `ballast.invalid_request` for an unknown tenant, a short key, or a key another tenant uses
   */
  replaceLabelledApiKey(tenantId: string, label: string, plaintext: string): Promise<ApiKeyRecord>;
  /**
   * Atomically grants up to `requested` units of a tenant's quota window (shared by every replica)
   * and forgets the tenant's earlier windows of that quota.
   *
   * @throws BallastError `ballast.invalid_request` for an unknown tenant
   */
  takeQuota(request: QuotaRequest): Promise<QuotaGrant>;
}
