import { randomBytes } from 'node:crypto';
import { ERROR_CODES } from '#contracts';
import { apiKeyHash, MIN_API_KEY_LENGTH, type TenantRepository } from '#persistence';
import { expectBallastError, uniqueName } from './contract-helpers.js';

export interface TenantHarness {
  tenants: TenantRepository;
  /** Every string value stored for API keys (hashes, prefixes, ...), to prove no plaintext is kept. */
  storedKeyValues(): Promise<string[]>;
}

const newKey = () => `bk_${randomBytes(16).toString('hex')}`;

export function describeTenantRepositoryContract(name: string, factory: () => TenantHarness | Promise<TenantHarness>): void {
  describe(`TenantRepository contract: ${name}`, () => {
    let h: TenantHarness;
    beforeAll(async () => {
      h = await factory();
    });

    it('creates a tenant and updates it in place, keeping fields an update leaves out', async () => {
      const id = uniqueName('acme');
      const created = await h.tenants.upsertTenant({ id, name: 'Acme', allowedModels: ['sim-1'], quotas: { requestsPerMinute: 5 } });
      const updated = await h.tenants.upsertTenant({ id, name: 'Acme Corp' });
      expect(updated).toMatchObject({ id, name: 'Acme Corp', allowedModels: ['sim-1'], quotas: { requestsPerMinute: 5 } });
      expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
      expect(await h.tenants.findTenant(id)).toEqual(updated);
      expect(await h.tenants.findTenant(uniqueName('nobody'))).toBeNull();
    });

    it('finds a tenant by the plaintext key while storing only its sha256', async () => {
      const id = uniqueName('keyed');
      await h.tenants.upsertTenant({ id, name: 'Keyed' });
      const key = newKey();
      const record = await h.tenants.createApiKey(id, key);
      expect(record).toMatchObject({ tenantId: id, prefix: key.slice(0, 6), revokedAt: null });
      expect((await h.tenants.findTenantByApiKey(key))?.id).toBe(id);
      expect(await h.tenants.findTenantByApiKey(`${key}x`)).toBeNull();
      const stored = await h.storedKeyValues();
      expect(stored).toContain(apiKeyHash(key));
      expect(stored.some((v) => v.includes(key))).toBe(false);
    });

    it('shows at most a quarter of a short key as its prefix', async () => {
      const id = uniqueName('prefix');
      await h.tenants.upsertTenant({ id, name: 'Prefix' });
      const key = `s${randomBytes(8).toString('hex')}`.slice(0, MIN_API_KEY_LENGTH);
      expect((await h.tenants.createApiKey(id, key)).prefix.length).toBeLessThanOrEqual(MIN_API_KEY_LENGTH / 4);
    });

    it('treats registering the same key for the same tenant as a no-op and refuses it for another', async () => {
      const [a, b] = [uniqueName('one'), uniqueName('two')];
      await h.tenants.upsertTenant({ id: a, name: 'One' });
      await h.tenants.upsertTenant({ id: b, name: 'Two' });
      const key = newKey();
      const first = await h.tenants.createApiKey(a, key);
      expect((await h.tenants.createApiKey(a, key)).id).toBe(first.id);
      await expectBallastError(h.tenants.createApiKey(b, key), ERROR_CODES.invalidRequest, /another tenant/);
      expect((await h.tenants.findTenantByApiKey(key))?.id).toBe(a);
    });

    it('stops finding a tenant by a revoked key', async () => {
      const id = uniqueName('revoke');
      await h.tenants.upsertTenant({ id, name: 'Revoke' });
      const key = newKey();
      const record = await h.tenants.createApiKey(id, key);
      await h.tenants.revokeApiKey(record.id);
      await h.tenants.revokeApiKey(record.id);
      expect(await h.tenants.findTenantByApiKey(key)).toBeNull();
    });

    it('hardening 5: replaces the tenant\'s key with the same label, leaving keys with other labels or none alone', async () => {
      const id = uniqueName('seeded');
      await h.tenants.upsertTenant({ id, name: 'Seeded' });
      const [first, second, manual] = [newKey(), newKey(), newKey()];
      await h.tenants.createApiKey(id, manual);
      const seeded = await h.tenants.replaceLabelledApiKey(id, 'seed', first);
      expect(seeded).toMatchObject({ tenantId: id, label: 'seed', revokedAt: null });
      expect((await h.tenants.replaceLabelledApiKey(id, 'seed', first)).id).toBe(seeded.id);

      await h.tenants.replaceLabelledApiKey(id, 'seed', second);
      expect(await h.tenants.findTenantByApiKey(first)).toBeNull();
      expect((await h.tenants.findTenantByApiKey(second))?.id).toBe(id);
      expect((await h.tenants.findTenantByApiKey(manual))?.id).toBe(id);

      // Going back to the first value reinstates it and revokes the second.
      await h.tenants.replaceLabelledApiKey(id, 'seed', first);
      expect((await h.tenants.findTenantByApiKey(first))?.id).toBe(id);
      expect(await h.tenants.findTenantByApiKey(second)).toBeNull();
    });

    it('refuses to make another tenant\'s key a labelled key', async () => {
      const [a, b] = [uniqueName('owner'), uniqueName('thief')];
      await h.tenants.upsertTenant({ id: a, name: 'Owner' });
      await h.tenants.upsertTenant({ id: b, name: 'Thief' });
      const key = newKey();
      await h.tenants.createApiKey(a, key);
      await expectBallastError(h.tenants.replaceLabelledApiKey(b, 'seed', key), ERROR_CODES.invalidRequest, /another tenant/);
      expect((await h.tenants.findTenantByApiKey(key))?.id).toBe(a);
    });

    describe('hardening 7: quota windows', () => {
      const minute = (m: number) => new Date(Date.UTC(2026, 0, 1, 12, m));
      const take = (tenantId: string, windowStart: Date, requested: number, limit: number) =>
        h.tenants.takeQuota({ tenantId, quota: 'requestsPerMinute', windowStart, requested, limit });

      it('never grants more than the limit in a window, however many callers ask at once', async () => {
        const id = uniqueName('quota');
        await h.tenants.upsertTenant({ id, name: 'Quota', quotas: { requestsPerMinute: 100 } });
        const grants = await Promise.all(Array.from({ length: 25 }, () => take(id, minute(0), 7, 100)));
        expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(100);
        expect(grants.every((g) => g.granted >= 0 && g.granted <= 7)).toBe(true);
        expect(Math.max(...grants.map((g) => g.used))).toBe(100);
        expect(await take(id, minute(0), 1, 100)).toEqual({ granted: 0, used: 100 });
      });

      it('starts every window afresh and keeps tenants and quotas apart', async () => {
        const [a, b] = [uniqueName('qa'), uniqueName('qb')];
        await h.tenants.upsertTenant({ id: a, name: 'A' });
        await h.tenants.upsertTenant({ id: b, name: 'B' });
        expect(await take(a, minute(1), 5, 5)).toEqual({ granted: 5, used: 5 });
        expect(await take(b, minute(1), 3, 5)).toEqual({ granted: 3, used: 3 });
        expect(await h.tenants.takeQuota({ tenantId: a, quota: 'other', windowStart: minute(1), requested: 2, limit: 5 })).toEqual({ granted: 2, used: 2 });
        expect(await take(a, minute(2), 4, 5)).toEqual({ granted: 4, used: 4 });
        expect(await take(a, minute(2), 4, 5)).toEqual({ granted: 1, used: 5 });
      });

      it('grants nothing more once the limit is lowered below what the window used', async () => {
        const id = uniqueName('lowered');
        await h.tenants.upsertTenant({ id, name: 'Lowered' });
        expect((await take(id, minute(3), 10, 10)).granted).toBe(10);
        expect(await take(id, minute(3), 1, 4)).toEqual({ granted: 0, used: 10 });
      });

      it('refuses unknown tenants and requests that are not whole positive numbers', async () => {
        await expectBallastError(take(uniqueName('ghost'), minute(4), 1, 10), ERROR_CODES.invalidRequest, /does not exist/);
        const id = uniqueName('bad');
        await h.tenants.upsertTenant({ id, name: 'Bad' });
        await expectBallastError(take(id, minute(4), 0, 10), ERROR_CODES.invalidRequest, /positive whole number/);
        await expectBallastError(take(id, minute(4), 1.5, 10), ERROR_CODES.invalidRequest);
      });
    });

    describe('issue 11: tenant administration', () => {
      it('keeps allowed prompts (null = every prompt) and lists tenants by id', async () => {
        const [a, b] = [uniqueName('lista'), uniqueName('listb')];
        expect((await h.tenants.upsertTenant({ id: b, name: 'B' })).allowedPrompts).toBeNull();
        await h.tenants.upsertTenant({ id: a, name: 'A', allowedPrompts: ['support-answer'] });
        expect((await h.tenants.upsertTenant({ id: a, name: 'A2' })).allowedPrompts).toEqual(['support-answer']);
        expect((await h.tenants.upsertTenant({ id: a, name: 'A2', allowedPrompts: null })).allowedPrompts).toBeNull();
        const ids = (await h.tenants.listTenants()).map((t) => t.id);
        expect(ids).toEqual(expect.arrayContaining([a, b]));
        expect(ids).toEqual([...ids].sort());
        await expectBallastError(h.tenants.upsertTenant({ id: a, name: 'A', allowedPrompts: ["x'; drop"] }), ERROR_CODES.invalidRequest, /not a prompt name/);
      });

      it('lists a tenant\'s keys with label and revocation, and revoking returns the record (null for an unknown id)', async () => {
        const id = uniqueName('keys');
        await h.tenants.upsertTenant({ id, name: 'Keys' });
        const [k1, k2] = [newKey(), newKey()];
        const first = await h.tenants.createApiKey(id, k1, 'ci');
        await h.tenants.createApiKey(id, k2);
        const revoked = await h.tenants.revokeApiKey(first.id);
        expect(revoked).toMatchObject({ id: first.id, tenantId: id, label: 'ci' });
        expect(revoked?.revokedAt).toBeInstanceOf(Date);
        const keys = await h.tenants.listApiKeys(id);
        expect(keys.map((k) => k.prefix).sort()).toEqual([k1.slice(0, 6), k2.slice(0, 6)].sort());
        expect(keys.find((k) => k.id === first.id)?.revokedAt).toBeInstanceOf(Date);
        expect(JSON.stringify(keys)).not.toContain(k1);
        expect(await h.tenants.revokeApiKey('00000000-0000-4000-8000-000000000000')).toBeNull();
        expect(await h.tenants.revokeApiKey('not-a-uuid')).toBeNull();
      });

      it('logs every tenant and key change so replicas can poll for them', async () => {
        const id = uniqueName('changes');
        const start = await h.tenants.tenantChangesSince(null);
        expect(start.tenantIds).toEqual([]);
        await h.tenants.upsertTenant({ id, name: 'Changes' });
        const afterCreate = await h.tenants.tenantChangesSince(start.seq);
        expect(afterCreate.tenantIds).toContain(id);
        expect(afterCreate.seq).toBeGreaterThan(start.seq);
        const key = await h.tenants.createApiKey(id, newKey());
        const mark = (await h.tenants.tenantChangesSince(null)).seq;
        expect((await h.tenants.tenantChangesSince(mark)).tenantIds).toEqual([]);
        await h.tenants.revokeApiKey(key.id);
        expect((await h.tenants.tenantChangesSince(mark)).tenantIds).toEqual([id]);
      });

      it('takes from a shared token bucket: full at first, never more than it holds, refilled with time', async () => {
        const id = uniqueName('bucket');
        await h.tenants.upsertTenant({ id, name: 'Bucket' });
        const take = (requested: number, nowMs: number) => h.tenants.takeBucket({ tenantId: id, bucket: 'requestsPerSecond', capacity: 10, refillPerSecond: 5, requested, nowMs });
        const t0 = Date.UTC(2026, 0, 1);
        const grants = await Promise.all(Array.from({ length: 6 }, () => take(3, t0)));
        expect(grants.reduce((sum, g) => sum + g.granted, 0)).toBe(10);
        expect((await take(1, t0 + 100)).granted).toBe(0); // 0.5 tokens refilled
        expect((await take(3, t0 + 500)).granted).toBe(2); // 2.5 after 500 ms in all
        expect((await take(100, t0 + 60_000)).granted).toBe(10); // never above capacity
        await expectBallastError(h.tenants.takeBucket({ tenantId: uniqueName('ghost'), bucket: 'b', capacity: 1, refillPerSecond: 1, requested: 1, nowMs: t0 }), ERROR_CODES.invalidRequest, /does not exist/);
      });

      it('adds usage per window, keeps metrics and tenants apart and forgets older windows', async () => {
        const id = uniqueName('usage');
        const day = (d: number) => new Date(Date.UTC(2026, 0, d));
        await h.tenants.addUsage([
          { tenantId: id, metric: 'usdPerDay', windowStart: day(1), amount: 0.25 },
          { tenantId: id, metric: 'usdPerDay', windowStart: day(1), amount: 0.5 },
          { tenantId: id, metric: 'tokensPerMinute', windowStart: day(1), amount: 40 },
          { tenantId: `${id}-other`, metric: 'usdPerDay', windowStart: day(1), amount: 9 },
        ]);
        expect(await h.tenants.usageTotals(id, [{ metric: 'usdPerDay', windowStart: day(1) }, { metric: 'tokensPerMinute', windowStart: day(1) }, { metric: 'usdPerDay', windowStart: day(2) }])).toEqual([0.75, 40, 0]);
        await h.tenants.addUsage([{ tenantId: id, metric: 'usdPerDay', windowStart: day(2), amount: 1 }]);
        expect(await h.tenants.usageTotals(id, [{ metric: 'usdPerDay', windowStart: day(1) }, { metric: 'usdPerDay', windowStart: day(2) }])).toEqual([0, 1]);
      });
    });

    it('rejects keys for unknown tenants, short keys and malformed tenant ids', async () => {
      await expectBallastError(h.tenants.createApiKey(uniqueName('ghost'), newKey()), ERROR_CODES.invalidRequest, /does not exist/);
      const id = uniqueName('short');
      await h.tenants.upsertTenant({ id, name: 'Short' });
      const short = 'k'.repeat(MIN_API_KEY_LENGTH - 1);
      await expectBallastError(h.tenants.createApiKey(id, short), ERROR_CODES.invalidRequest, new RegExp(`at least ${MIN_API_KEY_LENGTH}`));
      await expectBallastError(h.tenants.upsertTenant({ id: 'Not Valid', name: 'x' }), ERROR_CODES.invalidRequest);
    });
  });
}
