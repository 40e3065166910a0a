export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
  /** Models the tenant may name in ad-hoc (OpenAI-compatible) requests; empty = none. */
  allowedModels: string[];
  /** Registered prompts the tenant may call by name; null = every prompt. */
  allowedPrompts: string[] | null;
  /**
   * Limits by name, enforced by ingress (docs/tenants.md): `requestsPerSecond` with `requestBurst`,
   * `requestsPerMinute`, `tokensPerMinute`, `usdPerDay`, `usdPerMonth`.
   */
  quotas: Record<string, number>;
}

export interface TenantInput {
  id: string;
  name: string;
  /** Left as stored when omitted on an update; `[]` for a new tenant. */
  allowedModels?: string[];
  /** Left as stored when omitted on an update; null (every prompt) for a new tenant. */
  allowedPrompts?: string[] | null;
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

/** A token bucket shared by every replica: `capacity` tokens at most, refilled at `refillPerSecond`. */
export interface BucketRequest {
  tenantId: string;
  /** The bucket's name, e.g. `requestsPerSecond`. */
  bucket: string;
  capacity: number;
  refillPerSecond: number;
  /** Whole tokens the caller would like now. */
  requested: number;
  /** The caller's clock, epoch milliseconds (refill is computed from it; a clock behind the last take refills nothing). */
  nowMs: number;
}

export interface BucketGrant {
  /** Whole tokens granted now: `requested`, or fewer when the bucket holds fewer (0 when empty). */
  granted: number;
  /** Tokens left in the bucket after this grant (fractional while refilling). */
  tokens: number;
}

/** An amount of usage (tokens, USD) to add to a tenant's window of one metric. */
export interface UsageAmount {
  tenantId: string;
  /** e.g. `tokensPerMinute`, `usdPerDay`. */
  metric: string;
  windowStart: Date;
  amount: number;
}

/** The tenants whose records or keys changed after `seq` (the change log every replica polls). */
export interface TenantChanges {
  /** The newest change seen; pass it to the next call. */
  seq: number;
  tenantIds: string[];
}

/** The label `seedDefaults` gives the key it creates from `BALLAST_API_KEY`. */
export const SEED_KEY_LABEL = 'seed';

/** Tenants and their API keys. Keys are looked up by the sha256 of the presented plaintext. */
export interface TenantRepository {
  upsertTenant(input: TenantInput): Promise<Tenant>;
  findTenant(id: string): Promise<Tenant | null>;
  /** Every tenant, by id. */
  listTenants(): Promise<Tenant[]>;
  /**
   * Stores the hash of `plaintext` for `tenantId`. Registering the same key again for the same
   * tenant returns the existing record.
   *
   * @throws BallastError `ballast.invalid_request` for an unknown tenant, a short key, or a key another tenant uses
   */
  createApiKey(tenantId: string, plaintext: string, label?: string | null): Promise<ApiKeyRecord>;
  /** The tenant's keys (revoked ones too), oldest first; never the key itself. */
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  /** The tenant owning a non-revoked key, or null. */
  findTenantByApiKey(plaintext: string): Promise<Tenant | null>;
  /** Revokes a key by id; revoking twice keeps the first time. The key's record after it, or null for an unknown id. */
  revokeApiKey(id: string): Promise<ApiKeyRecord | null>;
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
  /**
   * Atomically takes up to `requested` whole tokens from a tenant's bucket (created full), after
   * refilling it for the time since the last take.
   */
  takeBucket(request: BucketRequest): Promise<BucketGrant>;
  /** Adds usage to each window (created at 0) and forgets the tenant's earlier windows of that metric. */
  addUsage(amounts: UsageAmount[]): Promise<void>;
  /** The usage recorded in each window asked for (0 for none), in the same order. */
  usageTotals(tenantId: string, windows: { metric: string; windowStart: Date }[]): Promise<number[]>;
  /**
   * Tenants changed (record or keys) after change `after`; `after` null gives only the newest seq.
   * Every write above records a change, so replicas polling this drop what they cached.
   */
  tenantChangesSince(after: number | null): Promise<TenantChanges>;
}
