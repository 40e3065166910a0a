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
