import { randomUUID } from 'node:crypto';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from '../tenants/api-key.hash.js';
import { checkAllowedPrompts, checkBucketRequest, checkQuotaRequest, checkTenantId, keyTaken, unknownTenant } from '../tenants/tenant.errors.js';
import type {
  ApiKeyRecord,
  BucketGrant,
  BucketRequest,
  QuotaGrant,
  QuotaRequest,
  Tenant,
  TenantChanges,
  TenantInput,
  TenantRepository,
  UsageAmount,
} from '../tenants/tenant.repository.js';

/** Tenants and keys in memory, for unit tests; like Postgres it keeps only key hashes. */
export class InMemoryTenantRepository implements TenantRepository {
  private readonly tenants = new Map<string, Tenant>();
  private readonly keys = new Map<string, ApiKeyRecord & { keyHash: string }>();
  private readonly windows = new Map<string, { windowStart: number; used: number }>();
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();
  private readonly usage = new Map<string, { windowStart: number; amount: number }>();
  private readonly changes: { seq: number; tenantId: string }[] = [];
  private seq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async upsertTenant(input: TenantInput): Promise<Tenant> {
    checkTenantId(input.id);
    checkAllowedPrompts(input.allowedPrompts);
    const existing = this.tenants.get(input.id);
    const tenant: Tenant = {
      id: input.id,
      name: input.name,
      createdAt: existing?.createdAt ?? this.now(),
      allowedModels: structuredClone(input.allowedModels ?? existing?.allowedModels ?? []),
      allowedPrompts: structuredClone(input.allowedPrompts !== undefined ? input.allowedPrompts : (existing?.allowedPrompts ?? null)),
      quotas: structuredClone(input.quotas ?? existing?.quotas ?? {}),
    };
    this.tenants.set(input.id, tenant);
    this.recordChange(input.id);
    return structuredClone(tenant);
  }

  async listTenants(): Promise<Tenant[]> {
    return [...this.tenants.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((t) => structuredClone(t));
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].filter((k) => k.tenantId === tenantId).map(toRecord);
  }

  async findTenant(id: string): Promise<Tenant | null> {
    const tenant = this.tenants.get(id);
    return tenant ? structuredClone(tenant) : null;
  }

  async createApiKey(tenantId: string, plaintext: string, label: string | null = null): Promise<ApiKeyRecord> {
    checkApiKey(plaintext);
    if (!this.tenants.has(tenantId)) throw unknownTenant(tenantId);
    const keyHash = apiKeyHash(plaintext);
    const existing = [...this.keys.values()].find((k) => k.keyHash === keyHash);
    if (existing && existing.tenantId !== tenantId) throw keyTaken();
    const key = existing ?? { id: randomUUID(), tenantId, keyHash, prefix: apiKeyPrefix(plaintext), label, createdAt: this.now(), revokedAt: null };
    this.keys.set(key.id, key);
    this.recordChange(tenantId);
    return toRecord(key);
  }

  async findTenantByApiKey(plaintext: string): Promise<Tenant | null> {
    const keyHash = apiKeyHash(plaintext);
    const key = [...this.keys.values()].find((k) => k.keyHash === keyHash && k.revokedAt === null);
    return key ? this.findTenant(key.tenantId) : null;
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord | null> {
    const key = this.keys.get(id);
    if (!key) return null;
    if (key.revokedAt === null) key.revokedAt = this.now();
    this.recordChange(key.tenantId);
    return toRecord(key);
  }

  async replaceLabelledApiKey(tenantId: string, label: string, plaintext: string): Promise<ApiKeyRecord> {
    const record = await this.createApiKey(tenantId, plaintext);
    const key = this.keys.get(record.id)!;
    key.label = label;
    key.revokedAt = null;
    for (const other of this.keys.values()) {
      if (other.tenantId === tenantId && other.label === label && other.id !== key.id && other.revokedAt === null) other.revokedAt = this.now();
    }
    this.recordChange(tenantId);
    return toRecord(key);
  }

  async takeQuota(request: QuotaRequest): Promise<QuotaGrant> {
    checkQuotaRequest(request.requested, request.limit);
    if (!this.tenants.has(request.tenantId)) throw unknownTenant(request.tenantId);
    const prefix = `${request.tenantId}\u0000${request.quota}\u0000`;
    const start = request.windowStart.getTime();
    for (const [id, w] of this.windows) if (id.startsWith(prefix) && w.windowStart < start) this.windows.delete(id);
    const id = `${prefix}${start}`;
    let window = this.windows.get(id);
    if (!window) this.windows.set(id, (window = { windowStart: start, used: 0 }));
    const granted = Math.max(0, Math.min(request.requested, request.limit - window.used));
    window.used += granted;
    return { granted, used: window.used };
  }

  async takeBucket(request: BucketRequest): Promise<BucketGrant> {
    checkBucketRequest(request.requested, request.capacity, request.refillPerSecond);
    if (!this.tenants.has(request.tenantId)) throw unknownTenant(request.tenantId);
    const id = `${request.tenantId}\u0000${request.bucket}`;
    const nowMs = Math.floor(request.nowMs);
    const bucket = this.buckets.get(id);
    const level = bucket
      ? Math.min(request.capacity, bucket.tokens + (Math.max(0, nowMs - bucket.updatedMs) * request.refillPerSecond) / 1000)
      : request.capacity;
    const granted = Math.min(request.requested, Math.floor(level));
    this.buckets.set(id, { tokens: level - granted, updatedMs: Math.max(bucket?.updatedMs ?? nowMs, nowMs) });
    return { granted, tokens: level - granted };
  }

  async addUsage(amounts: UsageAmount[]): Promise<void> {
    for (const a of amounts) {
      const prefix = `${a.tenantId}\u0000${a.metric}\u0000`;
      const start = a.windowStart.getTime();
      for (const [id, w] of this.usage) if (id.startsWith(prefix) && w.windowStart < start) this.usage.delete(id);
      const window = this.usage.get(`${prefix}${start}`) ?? { windowStart: start, amount: 0 };
      window.amount += a.amount;
      this.usage.set(`${prefix}${start}`, window);
    }
  }

  async usageTotals(tenantId: string, windows: { metric: string; windowStart: Date }[]): Promise<number[]> {
    return windows.map((w) => this.usage.get(`${tenantId}\u0000${w.metric}\u0000${w.windowStart.getTime()}`)?.amount ?? 0);
  }

  async tenantChangesSince(after: number | null): Promise<TenantChanges> {
    if (after === null) return { seq: this.seq, tenantIds: [] };
    const newer = this.changes.filter((c) => c.seq > after);
    return { seq: newer.at(-1)?.seq ?? after, tenantIds: [...new Set(newer.map((c) => c.tenantId))] };
  }

  private recordChange(tenantId: string): void {
    this.changes.push({ seq: ++this.seq, tenantId });
    if (this.changes.length > 10_000) this.changes.splice(0, this.changes.length - 10_000);
  }

  /** Stored key hashes, so tests can check no plaintext is kept. */
  storedKeyHashes(): string[] {
    return [...this.keys.values()].map((k) => k.keyHash);
  }
}

function toRecord(k: ApiKeyRecord): ApiKeyRecord {
  return { id: k.id, tenantId: k.tenantId, prefix: k.prefix, label: k.label, createdAt: k.createdAt, revokedAt: k.revokedAt };
}
