import { InMemoryTenantRepository } from '#persistence';
import { TenantKeys } from '../http/tenant.guard.js';
import { TenantChangesPoller } from './tenant-changes.poller.js';
import { TenantRateLimiter } from './tenant-rate.limiter.js';

const KEY = 'bk_poller_test_key_0123456789';

describe('issue 11: TenantChangesPoller', () => {
  async function replica(tenants: InMemoryTenantRepository) {
    const keys = new TenantKeys({ tenants });
    const limiter = new TenantRateLimiter(tenants);
    const poller = new TenantChangesPoller({ tenants }, keys, limiter, 0);
    await poller.onApplicationBootstrap();
    return { keys, limiter, poller };
  }

  it('makes every replica refuse a key revoked elsewhere at its next poll, and see changed limits', async () => {
    const tenants = new InMemoryTenantRepository();
    await tenants.upsertTenant({ id: 'acme', name: 'Acme', quotas: { requestsPerMinute: 5 } });
    const key = await tenants.createApiKey('acme', KEY);
    const [a, b] = [await replica(tenants), await replica(tenants)];
    for (const r of [a, b]) {
      expect((await r.keys.lookup(KEY))?.id).toBe('acme');
      expect((await r.limiter.tenantById('acme'))?.quotas).toEqual({ requestsPerMinute: 5 });
    }
    await tenants.revokeApiKey(key.id);
    await tenants.upsertTenant({ id: 'acme', name: 'Acme', quotas: { requestsPerMinute: 1 } });
    expect((await b.keys.lookup(KEY))?.id).toBe('acme'); // cached until the poll
    await Promise.all([a.poller.poll(), b.poller.poll()]);
    for (const r of [a, b]) {
      expect(await r.keys.lookup(KEY)).toBeNull();
      expect((await r.limiter.tenantById('acme'))?.quotas).toEqual({ requestsPerMinute: 1 });
    }
  });

  it('keeps serving from cache when the change log cannot be read, and catches up afterwards', async () => {
    const tenants = new InMemoryTenantRepository();
    await tenants.upsertTenant({ id: 'acme', name: 'Acme' });
    const key = await tenants.createApiKey('acme', KEY);
    const r = await replica(tenants);
    await r.keys.lookup(KEY);
    const read = tenants.tenantChangesSince.bind(tenants);
    tenants.tenantChangesSince = () => Promise.reject(new Error('timeout exceeded when trying to connect'));
    await tenants.revokeApiKey(key.id);
    await expect(r.poller.poll()).rejects.toThrow(/timeout/);
    expect((await r.keys.lookup(KEY))?.id).toBe('acme');
    tenants.tenantChangesSince = read;
    await r.poller.poll();
    expect(await r.keys.lookup(KEY)).toBeNull();
  });
});
