import { randomUUID } from 'node:crypto';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from '../tenants/api-key.hash.js';
import { checkQuotaRequest, checkTenantId, keyTaken, unknownTenant } from '../tenants/tenant.errors.js';
import type { ApiKeyRecord, QuotaGrant, QuotaRequest, Tenant, TenantInput, TenantRepository } from '../tenants/tenant.repository.js';

/** Tenants and keys in memory, for unit tests; like Postgres it keeps only key hashes. */
export class InMemoryTenantRepository implements TenantRepository {
  private readonly tenants = new Map<string, Tenant>();
  private readonly keys = new Map<string, ApiKeyRecord & { keyHash: string }>();
  private readonly windows = new Map<string, { windowStart: number; used: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async upsertTenant(input: TenantInput): Promise<Tenant> {
    checkTenantId(input.id);
    const existing = this.tenants.get(input.id);
    const tenant: Tenant = {
      id: input.id,
      name: input.name,
      createdAt: existing?.createdAt ?? this.now(),
      allowedModels: structuredClone(input.allowedModels ?? existing?.allowedModels ?? []),
      quotas: structuredClone(input.quotas ?? existing?.quotas ?? {}),
    };
    this.tenants.set(input.id, tenant);
    return structuredClone(tenant);
  }

  async findTenant(id: string): Promise<Tenant | null> {
    const tenant = this.tenants.get(id);
    return tenant ? structuredClone(tenant) : null;
  }

  async createApiKey(tenantId: string, plaintext: string): Promise<ApiKeyRecord> {
    checkApiKey(plaintext);
    if (!this.tenants.has(tenantId)) throw unknownTenant(tenantId);
    const keyHash = apiKeyHash(plaintext);
    const existing = [...this.keys.values()].find((k) => k.keyHash === keyHash);
    if (existing && existing.tenantId !== tenantId) throw keyTaken();
    const key = existing ?? { id: randomUUID(), tenantId, keyHash, prefix: apiKeyPrefix(plaintext), label: null, createdAt: this.now(), revokedAt: null };
    this.keys.set(key.id, key);
    return toRecord(key);
  }

  async findTenantByApiKey(plaintext: string): Promise<Tenant | null> {
    const keyHash = apiKeyHash(plaintext);
    const key = [...this.keys.values()].find((k) => k.keyHash === keyHash && k.revokedAt === null);
    return key ? this.findTenant(key.tenantId) : null;
  }

  async revokeApiKey(id: string): Promise<void> {
    const key = this.keys.get(id);
    if (key && key.revokedAt === null) key.revokedAt = this.now();
  }

  async replaceLabelledApiKey(tenantId: string, label: string, plaintext: string): Promise<ApiKeyRecord> {
    const record = await this.createApiKey(tenantId, plaintext);
    const key = this.keys.get(record.id)!;
    key.label = label;
    key.revokedAt = null;
    for (const other of this.keys.values()) {
      if (other.tenantId === tenantId && other.label === label && other.id !== key.id && other.revokedAt === null) other.revokedAt = this.now();
    }
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

  /** Stored key hashes, so tests can check no plaintext is kept. */
  storedKeyHashes(): string[] {
    return [...this.keys.values()].map((k) => k.keyHash);
  }
}

function toRecord(k: ApiKeyRecord): ApiKeyRecord {
  return { id: k.id, tenantId: k.tenantId, prefix: k.prefix, label: k.label, createdAt: k.createdAt, revokedAt: k.revokedAt };
}
