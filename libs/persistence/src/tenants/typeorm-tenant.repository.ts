import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { TenantEntity } from '../entities/tenant.entity.js';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from './api-key.hash.js';
import { checkTenantId, keyTaken, unknownTenant } from './tenant.errors.js';
import type { ApiKeyRecord, Tenant, TenantInput, TenantRepository } from './tenant.repository.js';

export class TypeormTenantRepository implements TenantRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsertTenant(input: TenantInput): Promise<Tenant> {
    checkTenantId(input.id);
    const overwrite = ['name'];
    if (input.allowedModels !== undefined) overwrite.push('allowed_models');
    if (input.quotas !== undefined) overwrite.push('quotas');
    const m = this.dataSource.manager;
    await m
      .createQueryBuilder()
      .insert()
      .into(TenantEntity)
      .values({ id: input.id, name: input.name, allowedModels: input.allowedModels ?? [], quotas: input.quotas ?? {} })
      .orUpdate(overwrite, ['id'])
      .execute();
    return toTenant(await m.findOneByOrFail(TenantEntity, { id: input.id }));
  }

  async findTenant(id: string): Promise<Tenant | null> {
    const row = await this.dataSource.manager.findOneBy(TenantEntity, { id });
    return row ? toTenant(row) : null;
  }

  async createApiKey(tenantId: string, plaintext: string): Promise<ApiKeyRecord> {
    checkApiKey(plaintext);
    const keyHash = apiKeyHash(plaintext);
    return this.dataSource.transaction(async (m) => {
      if (!(await m.existsBy(TenantEntity, { id: tenantId }))) throw unknownTenant(tenantId);
      await m
        .createQueryBuilder()
        .insert()
        .into(ApiKeyEntity)
        .values({ id: randomUUID(), tenantId, keyHash, prefix: apiKeyPrefix(plaintext) })
        .orIgnore()
        .execute();
      const row = await m.findOneByOrFail(ApiKeyEntity, { keyHash });
      if (row.tenantId !== tenantId) throw keyTaken();
      return toApiKey(row);
    });
  }

  async findTenantByApiKey(plaintext: string): Promise<Tenant | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder(TenantEntity, 't')
      .innerJoin(ApiKeyEntity, 'k', 'k.tenant_id = t.id')
      .where('k.key_hash = :hash AND k.revoked_at IS NULL', { hash: apiKeyHash(plaintext) })
      .getOne();
    return row ? toTenant(row) : null;
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.dataSource.manager.update(ApiKeyEntity, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}

function toTenant(e: TenantEntity): Tenant {
  return { id: e.id, name: e.name, createdAt: e.createdAt, allowedModels: e.allowedModels, quotas: e.quotas };
}

function toApiKey(e: ApiKeyEntity): ApiKeyRecord {
  return { id: e.id, tenantId: e.tenantId, prefix: e.prefix, createdAt: e.createdAt, revokedAt: e.revokedAt };
}
