import { randomUUID } from 'node:crypto';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from '../tenants/api-key.hash.js';
import { checkTenantId, keyTaken, unknownTenant } from '../tenants/tenant.errors.js';
import type { ApiKeyRecord, Tenant, TenantInput, TenantRepository } from '../tenants/tenant.repository.js';

/** Tenants and keys in memory, for unit tests; like Postgres it keeps only key hashes. */
export class InMemoryTenantRepository implements TenantRepository {
  private readonly tenants = new Map<string, Tenant>();
  private readonly keys = new Map<string, ApiKeyRecord & { keyHash: string }>();

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
    const key = existing ?? { id: randomUUID(), tenantId, keyHash, prefix: apiKeyPrefix(plaintext), createdAt: this.now(), revokedAt: null };
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

  /** Stored key hashes, so tests can check no plaintext is kept. */
  storedKeyHashes(): string[] {
    return [...this.keys.values()].map((k) => k.keyHash);
  }
}

function toRecord(k: ApiKeyRecord): ApiKeyRecord {
  return { id: k.id, tenantId: k.tenantId, prefix: k.prefix, createdAt: k.createdAt, revokedAt: k.revokedAt };
}
