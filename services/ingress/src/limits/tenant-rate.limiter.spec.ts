import { ERROR_CODES } from '#contracts';
import { InMemoryTenantRepository } from '#persistence';
import { quotaExceeded, TenantRateLimiter, USAGE_REFRESH_MS } from './tenant-rate.limiter.js';

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
    expect(await new TenantRateLimiter(repository, { now }).admit(tenant)).toMatchObject({ allowed: false, requests: { remaining: 0 } });
  });
});

describe('issue 11: requests per second with bursts, tokens per minute and USD budgets', () => {
  function clock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }
  async function setUp(quotas: Record<string, number>) {
    const repository = new InMemoryTenantRepository();
    const tenant = await repository.upsertTenant({ id: 'acme', name: 'Acme', quotas });
    return { repository, tenant };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('admits a burst, then the refill rate, from one bucket shared by three replicas', async () => {
    const { repository, tenant } = await setUp({ requestsPerSecond: 10, requestBurst: 20 });
    const c = clock();
    const replicas = [0, 1, 2].map(() => new TenantRateLimiter(repository, { now: c.now }));
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => replicas[i % 3]!.admit(tenant)));
    expect(burst.filter((d) => d?.allowed)).toHaveLength(20);
    let admitted = 0;
    // Ten seconds at 100 requests per second offered: the bucket refills 10 per second.
    for (let ms = 0; ms < 10_000; ms += 10) {
      c.advance(10);
      for (const d of await Promise.all(replicas.map((r) => r.admit(tenant)))) if (d?.allowed) admitted++;
      await flush();
    }
    expect(admitted).toBeLessThanOrEqual(100 + 1);
    expect(admitted).toBeGreaterThanOrEqual(95);
  });

  it('refuses with the bucket’s refill time as Retry-After and reports the bucket in the decision', async () => {
    const { repository, tenant } = await setUp({ requestsPerSecond: 0.5, requestBurst: 1 });
    const c = clock();
    const limiter = new TenantRateLimiter(repository, { now: c.now });
    expect(await limiter.admit(tenant)).toMatchObject({ allowed: true, requests: { limit: 1 } });
    const refused = await limiter.admit(tenant);
    expect(refused).toMatchObject({ allowed: false, refusal: { quota: 'requestsPerSecond', retryAfterSeconds: 2 } });
    expect(() => {
      throw quotaExceeded('acme', refused!);
    }).toThrow(/0.5 requests per second; retry after 2 s/);
    c.advance(2_000);
    expect((await limiter.admit(tenant))?.allowed).toBe(true);
  });

  it('drops leased bucket tokens a replica did not use within a second, so they cannot add to a later burst', async () => {
    const { repository, tenant } = await setUp({ requestsPerSecond: 100, requestBurst: 100 });
    const c = clock();
    const idle = new TenantRateLimiter(repository, { now: c.now });
    const busy = new TenantRateLimiter(repository, { now: c.now });
    await idle.admit(tenant); // leases a block and keeps most of it
    await flush();
    c.advance(5_000);
    const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? idle : busy).admit(tenant)));
    expect(decisions.filter((d) => d?.allowed).length).toBeLessThanOrEqual(100);
  });

  it('refuses a tenant whose recorded tokens this minute reach tokensPerMinute, and admits it in the next minute', async () => {
    const { repository, tenant } = await setUp({ tokensPerMinute: 1_000 });
    const c = clock(Date.UTC(2026, 0, 1, 12, 0, 30));
    const limiter = new TenantRateLimiter(repository, { now: c.now });
    expect(await limiter.admit(tenant)).toMatchObject({ allowed: true, requests: null, tokens: { limit: 1_000, remaining: 1_000 } });
    await repository.addUsage([{ tenantId: 'acme', metric: 'tokensPerMinute', windowStart: new Date(Date.UTC(2026, 0, 1, 12, 0)), amount: 1_000 }]);
    c.advance(USAGE_REFRESH_MS);
    await limiter.admit(tenant); // served from the old snapshot while it refreshes
    await flush();
    const refused = await limiter.admit(tenant);
    expect(refused).toMatchObject({ allowed: false, tokens: { remaining: 0 }, refusal: { quota: 'tokensPerMinute', retryAfterSeconds: 30 } });
    expect(quotaExceeded('acme', refused!)).toMatchObject({ code: ERROR_CODES.quotaExceeded, options: { status: 429 } });
    c.advance(30_000);
    expect((await limiter.admit(tenant))?.allowed).toBe(true);
  });

  it('refuses with ballast.budget_exceeded once the day’s recorded cost reaches usdPerDay, until the next UTC day', async () => {
    const { repository, tenant } = await setUp({ usdPerDay: 0.5, requestsPerMinute: 100 });
    const c = clock(Date.UTC(2026, 0, 1, 23, 59, 0));
    const limiter = new TenantRateLimiter(repository, { now: c.now });
    await repository.addUsage([{ tenantId: 'acme', metric: 'usdPerDay', windowStart: new Date(Date.UTC(2026, 0, 1)), amount: 0.5 }]);
    const refused = await limiter.admit(tenant);
    expect(refused).toMatchObject({ allowed: false, refusal: { quota: 'usdPerDay', limit: 0.5, retryAfterSeconds: 60 } });
    const error = quotaExceeded('acme', refused!);
    expect(error).toMatchObject({ code: ERROR_CODES.budgetExceeded, options: { status: 429 } });
    expect(error.message).toBe('tenant "acme" is over its budget of 0.5 USD per day (UTC); retry after 60 s');
    // A request refused for its budget used nothing of the request limit.
    c.advance(60_000);
    expect(await limiter.admit(tenant)).toMatchObject({ allowed: true, requests: { remaining: 99 } });
  });

  it('throws budget_exceeded for a Kafka request of a tenant over its monthly budget', async () => {
    const { repository } = await setUp({ usdPerMonth: 10 });
    const c = clock(Date.UTC(2026, 0, 15));
    await repository.addUsage([{ tenantId: 'acme', metric: 'usdPerMonth', windowStart: new Date(Date.UTC(2026, 0, 1)), amount: 10.01 }]);
    await expect(new TenantRateLimiter(repository, { now: c.now }).enforceTenantId('acme')).rejects.toMatchObject({ code: ERROR_CODES.budgetExceeded });
  });

  it('admits nothing for requestsPerSecond 0 without a burst, and a burst of 0 refuses whatever the rate', async () => {
    for (const quotas of [{ requestsPerSecond: 0 }, { requestsPerSecond: 100, requestBurst: 0 }] as Record<string, number>[]) {
      const { repository, tenant } = await setUp(quotas);
      expect(await new TenantRateLimiter(repository, { now: clock().now }).admit(tenant)).toMatchObject({ allowed: false, refusal: { quota: 'requestsPerSecond' } });
    }
  });

  it('serves a changed tenant afresh after forgetTenants', async () => {
    const { repository } = await setUp({ requestsPerMinute: 5 });
    const limiter = new TenantRateLimiter(repository);
    expect((await limiter.tenantById('acme'))?.quotas).toEqual({ requestsPerMinute: 5 });
    await repository.upsertTenant({ id: 'acme', name: 'Acme', quotas: { requestsPerMinute: 0 } });
    expect((await limiter.tenantById('acme'))?.quotas).toEqual({ requestsPerMinute: 5 });
    limiter.forgetTenants(['acme']);
    expect((await limiter.tenantById('acme'))?.quotas).toEqual({ requestsPerMinute: 0 });
  });
});
