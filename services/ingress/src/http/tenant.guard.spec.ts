import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { InMemoryTenantRepository } from '#persistence';
import { TenantRateLimiter } from '../limits/tenant-rate.limiter.js';
import { MAX_API_KEY_LENGTH, TenantGuard, TenantKeys } from './tenant.guard.js';

const KEY = 'bk_guard_test_key_0123456789';

function call(key: string) {
  const req: { headers: Record<string, string>; tenant?: { id: string } } = { headers: { authorization: `Bearer ${key}` } };
  const headers: Record<string, string> = {};
  const reply = { header: (name: string, value: string) => (headers[name] = value) };
  const context = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }) } as unknown as ExecutionContext;
  return { context, req, headers };
}

async function setUp(quotas: Record<string, number> = {}) {
  let now = Date.UTC(2026, 0, 1, 12, 0, 5);
  const tenants = new InMemoryTenantRepository();
  await tenants.upsertTenant({ id: 'acme', name: 'Acme', quotas });
  const key = await tenants.createApiKey('acme', KEY);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const keys = new TenantKeys({ tenants }, { now: clock.now });
  const guard = new TenantGuard(keys, new TenantRateLimiter(tenants, { now: clock.now }));
  return { tenants, guard, keys, clock, keyId: key.id };
}

async function refusal(promise: Promise<unknown>): Promise<BallastError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BallastError);
  return error as BallastError;
}

describe('hardening 5: wrong API keys cannot grow the tenant guard', () => {
  it('refuses 4,000 distinct 15 KB keys without looking them up or remembering them', async () => {
    const { tenants, guard } = await setUp();
    const lookups = jest.spyOn(tenants, 'findTenantByApiKey');
    for (let i = 0; i < 4_000; i++) {
      const error = await refusal(guard.canActivate(call(`${i}-${'k'.repeat(15_000)}`).context));
      expect(error.code).toBe(ERROR_CODES.unauthorized);
    }
    expect(lookups).not.toHaveBeenCalled();
    expect(guard.cacheSizes()).toEqual({ valid: 0, invalid: 0 });
  });

  it('answers an over-long key with 401 and the stable code, even when its prefix is a valid key', async () => {
    const { guard } = await setUp();
    const error = await refusal(guard.canActivate(call(KEY + 'x'.repeat(MAX_API_KEY_LENGTH)).context));
    expect(error).toMatchObject({ code: ERROR_CODES.unauthorized, options: { status: 401 } });
  });

  it('remembers at most 1,000 wrong keys of a sane length', async () => {
    const { guard } = await setUp();
    for (let i = 0; i < 4_000; i++) await refusal(guard.canActivate(call(`bk_wrong_${i}_${'w'.repeat(200)}`).context));
    expect(guard.cacheSizes().invalid).toBe(1_000);
    expect(await guard.canActivate(call(KEY).context)).toBe(true);
  });

  it('stops accepting a revoked key within the 10 s the valid-key cache keeps it', async () => {
    const { tenants, guard, clock, keyId } = await setUp();
    expect(await guard.canActivate(call(KEY).context)).toBe(true);
    await tenants.revokeApiKey(keyId);
    clock.advance(9_000);
    expect(await guard.canActivate(call(KEY).context)).toBe(true);
    clock.advance(1_001);
    expect((await refusal(guard.canActivate(call(KEY).context))).code).toBe(ERROR_CODES.unauthorized);
  });
});

describe('hardening 7: the tenant guard enforces requestsPerMinute', () => {
  it('lets 600 of 700 requests in one minute through and refuses exactly the other 100 with 429 and rate-limit headers', async () => {
    const { guard } = await setUp({ requestsPerMinute: 600 });
    const calls = Array.from({ length: 700 }, () => call(KEY));
    const results = await Promise.all(calls.map((c) => guard.canActivate(c.context).then(() => 'ok', (e: unknown) => e)));

    const refused = results.filter((r): r is BallastError => r instanceof BallastError);
    expect(results.filter((r) => r === 'ok')).toHaveLength(600);
    expect(refused).toHaveLength(100);
    expect(refused.every((e) => e.code === ERROR_CODES.quotaExceeded && e.options.status === 429)).toBe(true);

    const resetAt = String(Date.UTC(2026, 0, 1, 12, 1, 0) / 1000);
    const openAi = { 'x-ratelimit-limit-requests': '600', 'x-ratelimit-reset-requests': '55s' };
    expect(calls[0]!.headers).toEqual({ ...openAi, 'x-ratelimit-remaining-requests': '599', 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '599', 'x-ratelimit-reset': resetAt });
    expect(calls[699]!.headers).toEqual({ ...openAi, 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': resetAt, 'retry-after': '55' });
    const remaining = calls.slice(0, 600).map((c) => Number(c.headers['x-ratelimit-remaining']));
    expect(new Set(remaining).size).toBe(600);
  });

  it('admits the tenant again when the next minute starts', async () => {
    const { guard, clock } = await setUp({ requestsPerMinute: 2 });
    for (let i = 0; i < 2; i++) await guard.canActivate(call(KEY).context);
    expect((await refusal(guard.canActivate(call(KEY).context))).code).toBe(ERROR_CODES.quotaExceeded);
    clock.advance(55_000);
    const next = call(KEY);
    expect(await guard.canActivate(next.context)).toBe(true);
    expect(next.headers['x-ratelimit-remaining']).toBe('1');
  });

  it('sets no rate-limit headers for a tenant without a limit', async () => {
    const { guard } = await setUp();
    const c = call(KEY);
    expect(await guard.canActivate(c.context)).toBe(true);
    expect(c.headers).toEqual({});
  });
});

describe('issue 11: a change to a tenant takes effect at once once it is seen', () => {
  it('refuses a revoked key as soon as the tenant is forgotten, without waiting for the 10 s cache', async () => {
    const { tenants, guard, keys, keyId } = await setUp();
    expect(await guard.canActivate(call(KEY).context)).toBe(true);
    await tenants.revokeApiKey(keyId);
    expect(await guard.canActivate(call(KEY).context)).toBe(true);
    keys.forgetTenants(['acme']);
    expect((await refusal(guard.canActivate(call(KEY).context))).code).toBe(ERROR_CODES.unauthorized);
  });

  it('accepts a key issued after it was refused once the change is seen', async () => {
    const { tenants, guard, keys } = await setUp();
    const fresh = 'bk_issued_later_0123456789';
    await refusal(guard.canActivate(call(fresh).context));
    await tenants.createApiKey('acme', fresh);
    keys.forgetTenants(['acme']);
    expect(await guard.canActivate(call(fresh).context)).toBe(true);
  });
});
