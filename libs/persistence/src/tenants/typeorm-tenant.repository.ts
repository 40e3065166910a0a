import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { TenantEntity } from '../entities/tenant.entity.js';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from './api-key.hash.js';
import { checkQuotaRequest, checkTenantId, keyTaken, unknownTenant } from './tenant.errors.js';
import type { ApiKeyRecord, QuotaGrant, QuotaRequest, Tenant, TenantInput, TenantRepository } from './tenant.repository.js';

// One statement per lease: the row lock serialises replicas; SET sees the old `used`, so `granted` is exact.
const TAKE_QUOTA = `
  WITH forgotten AS (
    DELETE FROM tenant_quota_windows WHERE tenant_id = $1 AND quota = $2 AND window_start < $3::timestamptz
  )
  INSERT INTO tenant_quota_windows AS w (tenant_id, quota, window_start, used, granted)
  VALUES ($1, $2, $3::timestamptz, LEAST($4::int, $5::int), LEAST($4::int, $5::int))
  ON CONFLICT (tenant_id, quota, window_start) DO UPDATE
    SET used = LEAST(w.used + $4::int, GREATEST(w.used, $5::int)),
        granted = LEAST(w.used + $4::int, GREATEST(w.used, $5::int)) - w.used
  RETURNING used, granted`;
const FOREIGN_KEY_VIOLATION = '23503';

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
    return this.dataSource.transaction(async (m) => toApiKey(await insertApiKey(m, tenantId, plaintext, null)));
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

  async replaceLabelledApiKey(tenantId: string, label: string, plaintext: string): Promise<ApiKeyRecord> {
    return this.dataSource.transaction(async (m) => {
      const row = await insertApiKey(m, tenantId, plaintext, label);
      await m.update(ApiKeyEntity, { id: row.id }, { label, revokedAt: null });
      await m
        .createQueryBuilder()
        .update(ApiKeyEntity)
        .set({ revokedAt: () => 'now()' })
        .where('tenant_id = :tenantId AND label = :label AND revoked_at IS NULL AND id <> :id', { tenantId, label, id: row.id })
        .execute();
      return toApiKey(await m.findOneByOrFail(ApiKeyEntity, { id: row.id }));
    });
  }

  async takeQuota(request: QuotaRequest): Promise<QuotaGrant> {
    checkQuotaRequest(request.requested, request.limit);
    try {
      const rows: { used: number; granted: number }[] = await this.dataSource.query(TAKE_QUOTA, [
        request.tenantId,
        request.quota,
        request.windowStart.toISOString(),
        request.requested,
        request.limit,
      ]);
      return { used: Number(rows[0]!.used), granted: Number(rows[0]!.granted) };
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw unknownTenant(request.tenantId);
      throw error;
    }
  }
}

function toTenant(e: TenantEntity): Tenant {
  return { id: e.id, name: e.name, createdAt: e.createdAt, allowedModels: e.allowedModels, quotas: e.quotas };
}

function toApiKey(e: ApiKeyEntity): ApiKeyRecord {
  return { id: e.id, tenantId: e.tenantId, prefix: e.prefix, label: e.label, createdAt: e.createdAt, revokedAt: e.revokedAt };
}

/** Inserts the key for the tenant unless it exists, and returns its row; refuses a key another tenant holds. */
async function insertApiKey(m: EntityManager, tenantId: string, plaintext: string, label: string | null): Promise<ApiKeyEntity> {
  checkApiKey(plaintext);
  const keyHash = apiKeyHash(plaintext);
  if (!(await m.existsBy(TenantEntity, { id: tenantId }))) throw unknownTenant(tenantId);
  await m
    .createQueryBuilder()
    .insert()
    .into(ApiKeyEntity)
    .values({ id: randomUUID(), tenantId, keyHash, prefix: apiKeyPrefix(plaintext), ...(label === null ? {} : { label }) })
    .orIgnore()
    .execute();
  const row = await m.findOneByOrFail(ApiKeyEntity, { keyHash });
  if (row.tenantId !== tenantId) throw keyTaken();
  return row;
}
