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
  createdAt: Date;
  revokedAt: Date | null;
}

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
}
