import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { TenantEntity } from '../entities/tenant.entity.js';
import { apiKeyHash, apiKeyPrefix, checkApiKey } from './api-key.hash.js';
import { checkAllowedPrompts, checkBucketRequest, checkQuotaRequest, checkTenantId, keyTaken, unknownTenant } from './tenant.errors.js';
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
} from './tenant.repository.js';

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

// The refilled level, from the row's old values (SET sees them): min(capacity, tokens + elapsed * rate).
const REFILLED = `LEAST($3::float8, b.tokens + GREATEST(0, $5::bigint - b.updated_ms) * $6::float8 / 1000)`;
const TAKE_BUCKET = `
  INSERT INTO tenant_buckets AS b (tenant_id, bucket, tokens, granted, updated_ms)
  VALUES ($1, $2, $3::float8 - LEAST($4::int, floor($3::float8)), LEAST($4::int, floor($3::float8)), $5::bigint)
  ON CONFLICT (tenant_id, bucket) DO UPDATE
    SET granted = LEAST($4::int, floor(${REFILLED})),
        tokens = ${REFILLED} - LEAST($4::int, floor(${REFILLED})),
        updated_ms = GREATEST(b.updated_ms, $5::bigint)
  RETURNING tokens, granted`;
const ADD_USAGE = `
  WITH forgotten AS (
    DELETE FROM tenant_usage_windows WHERE tenant_id = $1 AND metric = $2 AND window_start < $3::timestamptz
  )
  INSERT INTO tenant_usage_windows AS w (tenant_id, metric, window_start, amount)
  VALUES ($1, $2, $3::timestamptz, $4::float8)
  ON CONFLICT (tenant_id, metric, window_start) DO UPDATE SET amount = w.amount + $4::float8`;
// The log only has to cover a replica's poll interval; an hour is far more.
const RECORD_CHANGE = `
  WITH forgotten AS (DELETE FROM tenant_changes WHERE changed_at < now() - interval '1 hour')
  INSERT INTO tenant_changes (tenant_id) VALUES ($1)`;

export class TypeormTenantRepository implements TenantRepository {
  constructor(private readonly dataSource: DataSource) {}

  async upsertTenant(input: TenantInput): Promise<Tenant> {
    checkTenantId(input.id);
    checkAllowedPrompts(input.allowedPrompts);
    const overwrite = ['name'];
    if (input.allowedModels !== undefined) overwrite.push('allowed_models');
    if (input.allowedPrompts !== undefined) overwrite.push('allowed_prompts');
    if (input.quotas !== undefined) overwrite.push('quotas');
    return this.dataSource.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(TenantEntity)
        .values({ id: input.id, name: input.name, allowedModels: input.allowedModels ?? [], allowedPrompts: input.allowedPrompts ?? null, quotas: input.quotas ?? {} })
        .orUpdate(overwrite, ['id'])
        .execute();
      await m.query(RECORD_CHANGE, [input.id]);
      return toTenant(await m.findOneByOrFail(TenantEntity, { id: input.id }));
    });
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.dataSource.manager.find(TenantEntity, { order: { id: 'ASC' } })).map(toTenant);
  }

  async listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return (await this.dataSource.manager.find(ApiKeyEntity, { where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } })).map(toApiKey);
  }

  async findTenant(id: string): Promise<Tenant | null> {
    const row = await this.dataSource.manager.findOneBy(TenantEntity, { id });
    return row ? toTenant(row) : null;
  }

  async createApiKey(tenantId: string, plaintext: string, label: string | null = null): Promise<ApiKeyRecord> {
    return this.dataSource.transaction(async (m) => {
      const row = await insertApiKey(m, tenantId, plaintext, label);
      await m.query(RECORD_CHANGE, [tenantId]);
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

  async revokeApiKey(id: string): Promise<ApiKeyRecord | null> {
    if (!UUID.test(id)) return null;
    return this.dataSource.transaction(async (m) => {
      await m.update(ApiKeyEntity, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      const row = await m.findOneBy(ApiKeyEntity, { id });
      if (row) await m.query(RECORD_CHANGE, [row.tenantId]);
      return row ? toApiKey(row) : null;
    });
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
      await m.query(RECORD_CHANGE, [tenantId]);
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

  async takeBucket(request: BucketRequest): Promise<BucketGrant> {
    checkBucketRequest(request.requested, request.capacity, request.refillPerSecond);
    try {
      const rows: { tokens: number; granted: number }[] = await this.dataSource.query(TAKE_BUCKET, [
        request.tenantId,
        request.bucket,
        request.capacity,
        request.requested,
        Math.floor(request.nowMs),
        request.refillPerSecond,
      ]);
      return { granted: Number(rows[0]!.granted), tokens: Number(rows[0]!.tokens) };
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw unknownTenant(request.tenantId);
      throw error;
    }
  }

  async addUsage(amounts: UsageAmount[]): Promise<void> {
    if (amounts.length === 0) return;
    await this.dataSource.transaction(async (m) => {
      for (const a of amounts) await m.query(ADD_USAGE, [a.tenantId, a.metric, a.windowStart.toISOString(), a.amount]);
    });
  }

  async usageTotals(tenantId: string, windows: { metric: string; windowStart: Date }[]): Promise<number[]> {
    if (windows.length === 0) return [];
    const rows: { metric: string; window_start: Date | string; amount: number }[] = await this.dataSource.query(
      `SELECT metric, window_start, amount FROM tenant_usage_windows WHERE tenant_id = $1 AND metric = ANY($2::text[])`,
      [tenantId, windows.map((w) => w.metric)],
    );
    return windows.map((w) => {
      const row = rows.find((r) => r.metric === w.metric && new Date(r.window_start).getTime() === w.windowStart.getTime());
      return row ? Number(row.amount) : 0;
    });
  }

  async tenantChangesSince(after: number | null): Promise<TenantChanges> {
    if (after === null) {
      const [row] = (await this.dataSource.query(`SELECT COALESCE(MAX(seq), 0) AS seq FROM tenant_changes`)) as { seq: string | number }[];
      return { seq: Number(row!.seq), tenantIds: [] };
    }
    const rows: { seq: string | number; tenant_id: string }[] = await this.dataSource.query(
      `SELECT seq, tenant_id FROM tenant_changes WHERE seq > $1::bigint ORDER BY seq LIMIT 10000`,
      [after],
    );
    if (rows.length === 0) return { seq: after, tenantIds: [] };
    return { seq: Number(rows[rows.length - 1]!.seq), tenantIds: [...new Set(rows.map((r) => r.tenant_id))] };
  }
}

function toTenant(e: TenantEntity): Tenant {
  return { id: e.id, name: e.name, createdAt: e.createdAt, allowedModels: e.allowedModels, allowedPrompts: e.allowedPrompts ?? null, quotas: e.quotas };
}

const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

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
