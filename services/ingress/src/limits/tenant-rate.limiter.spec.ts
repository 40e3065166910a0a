import { ERROR_CODES } from '#contracts';
import { InMemoryTenantRepository } from '#persistence';
import { TenantRateLimiter } from './tenant-rate.limiter.js';

describe('hardening 7: TenantRateLimiter', () => {
  const now = () => Date.UTC(2026, 0, 1, 12, 0, 30);

  async function tenants(requestsPerMinute: number) {
    const repository = new InMemoryTenantRepository();
    const tenant = await repository.upsertTenant({ id: 'acme', name: 'Acme', quotas: { requestsPerMinute } });
    return { repository, tenant };
  }

  it('shares one budget between replicas: together they admit exactly the limit', async () => {
    const { repository, tenant } = await tenants(600);
    const replicas = [new TenantRateLimiter(repository, { now }), new TenantRateLimiter(repository, { now })];
    const decisions = await Promise.all(Array.from({ length: 900 }, (_, i) => replicas[i % 2]!.admit(tenant)));
    expect(decisions.filter((d) => d?.allowed)).toHaveLength(600);
  });

  it('asks the shared store for a block at a time, not once per request', async () => {
    const { repository, tenant } = await tenants(600);
    let leases = 0;
    const counting = { findTenant: repository.findTenant.bind(repository), takeQuota: (r: Parameters<typeof repository.takeQuota>[0]) => (leases++, repository.takeQuota(r)) };
    const limiter = new TenantRateLimiter(counting, { now });
    for (let i = 0; i < 600; i++) await limiter.admit(tenant);
    expect(leases).toBeLessThan(600 / 5);
  });

  it('refuses a request naming its tenant over the limit with ballast.quota_exceeded, and ignores unknown tenants', async () => {
    const { repository } = await tenants(1);
    const limiter = new TenantRateLimiter(repository, { now });
    await limiter.enforceTenantId('acme');
    await expect(limiter.enforceTenantId('acme')).rejects.toMatchObject({ code: ERROR_CODES.quotaExceeded, options: { status: 429 } });
    expect(await limiter.admitTenantId('nobody')).toBeNull();
  });

  it('refuses everything for a limit of 0', async () => {
    const { repository, tenant } = await tenants(0);
    expect(await new TenantRateLimiter(repository, { now }).admit(tenant)).toMatchObject({ allowed: false, remaining: 0 });
  });
});
