import { BallastError, ERROR_CODES } from '#contracts';
import type { Tenant, TenantRepository } from '#persistence';
import { RefreshingCache } from '../lookups/refreshing.cache.js';
import { USAGE_QUOTAS, usageWindow, type UsageQuota } from './usage-windows.js';

export const REQUESTS_PER_MINUTE = 'requestsPerMinute';
export const REQUESTS_PER_SECOND = 'requestsPerSecond';
/** The bucket's size for `requestsPerSecond`: how many requests may come at once (default: one second's worth, at least 1; 0 for a rate of 0). */
export const REQUEST_BURST = 'requestBurst';
/** Every quota name ingress enforces; anything else in `tenant.quotas` is refused by the admin API. */
export const QUOTA_NAMES = [REQUESTS_PER_SECOND, REQUEST_BURST, REQUESTS_PER_MINUTE, ...USAGE_QUOTAS] as const;

const WINDOW_MS = 60_000;
const TENANT_CACHE_MS = 30_000;
/** A tenant's record is served while refreshed in the background until it is this old. */
const TENANT_MAX_STALE_MS = 300_000;
const MAX_TRACKED = 10_000;
/** Usage totals (tokens, USD) are re-read this often per tenant; a budget is noticed this much late at most (plus recording). */
export const USAGE_REFRESH_MS = 500;
const USAGE_MAX_STALE_MS = 10_000;
/** Bucket tokens a replica leased and did not use within this long are dropped, so they cannot make a burst later. */
const BUCKET_LEASE_TTL_MS = 1_000;

/** One limit as the `x-ratelimit-*` headers show it. */
export interface LimitState {
  limit: number;
  /** Left as far as this replica knows (other replicas may have used some). */
  remaining: number;
  /** When the limit is whole again (bucket full, window over), epoch milliseconds. */
  resetAt: number;
}

/** What one request got from its tenant's limits. */
export interface RateDecision {
  allowed: boolean;
  /** The request limit that binds most (`x-ratelimit-*-requests`); null when the tenant has none. */
  requests: LimitState | null;
  /** `tokensPerMinute` (`x-ratelimit-*-tokens`); null when the tenant has none. */
  tokens: LimitState | null;
  /** Why the request was refused; null when allowed. */
  refusal: { quota: string; limit: number; retryAfterSeconds: number } | null;
}

export interface TenantRateLimiterOptions {
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** Largest block a replica leases at once, as a fraction of the limit (default 1/20). */
  maxBlockFraction?: number;
}

interface WindowState {
  windowStart: number;
  /** Units leased from Postgres and not yet used by this replica. */
  local: number;
  /** The window's total grant across replicas, as of this replica's last lease. */
  used: number;
  /** Postgres has granted the whole limit: refuse without asking again until the window ends. */
  exhausted: boolean;
  lastBlock: number;
  leasing: Promise<void> | null;
}

interface BucketState {
  local: number;
  leasedAt: number;
  /** The shared bucket's level after this replica's last take. */
  level: number;
  lastBlock: number;
  /** The shared bucket had no whole token: refuse from memory until it has refilled one. */
  emptyUntil: number;
  leasing: Promise<void> | null;
}

interface UsageSnapshot {
  starts: number[];
  totals: number[];
}

type Check = { allowed: boolean; state: LimitState; quota: string; limit: number };

/**
 * Enforces each tenant's limits, shared by every ingress replica, with the hot path in memory:
 * - `requestsPerSecond` (+ `requestBurst`): a token bucket in Postgres (`takeBucket`); a replica
 *   leases a few tokens at a time and drops them if unused for 1 s.
 * - `requestsPerMinute`: fixed one-minute windows in Postgres (`takeQuota`), leased in blocks.
 * - `tokensPerMinute`, `usdPerDay`, `usdPerMonth`: refused once the usage recorded from
 *   `ballast.usage.v1` (UsageRecorder) reaches them, read every 500 ms per tenant in the background.
 * Replicas lease the next block before the current one runs out, so a request rarely waits for the
 * database. Bounds and reasons: docs/tenants.md.
 */
export class TenantRateLimiter {
  private readonly windows = new Map<string, WindowState>();
  private readonly buckets = new Map<string, BucketState>();
  private readonly tenants: RefreshingCache<Tenant | null>;
  private readonly usage: RefreshingCache<UsageSnapshot>;
  private readonly now: () => number;
  private readonly maxBlockFraction: number;

  constructor(
    private readonly repository: Pick<TenantRepository, 'takeQuota' | 'findTenant'> & Partial<Pick<TenantRepository, 'takeBucket' | 'usageTotals'>>,
    options: TenantRateLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxBlockFraction = options.maxBlockFraction ?? 1 / 20;
    this.tenants = new RefreshingCache({ freshMs: TENANT_CACHE_MS, maxStaleMs: TENANT_MAX_STALE_MS, maxEntries: MAX_TRACKED, now: this.now });
    this.usage = new RefreshingCache({ freshMs: USAGE_REFRESH_MS, maxStaleMs: USAGE_MAX_STALE_MS, maxEntries: MAX_TRACKED, now: this.now });
  }

  /** Counts one request against the tenant's limits; null when the tenant has none. */
  async admit(tenant: Pick<Tenant, 'id' | 'quotas'>): Promise<RateDecision | null> {
    const q = tenant.quotas;
    const usage = await this.checkUsage(tenant);
    const tokens = usage.find((c) => c.quota === 'tokensPerMinute')?.state ?? null;
    const overUsage = usage.find((c) => !c.allowed);
    const rate = quota(q, REQUESTS_PER_SECOND);
    const rpm = quota(q, REQUESTS_PER_MINUTE);
    if (overUsage) return this.refused(overUsage, null, tokens);
    const checks: Check[] = [];
    if (rate !== null) {
      // A rate of 0 admits nothing; otherwise the bucket holds at least one request.
      const burst = quota(q, REQUEST_BURST) ?? (rate > 0 ? Math.max(1, Math.ceil(rate)) : 0);
      const check = await this.admitBucket(tenant.id, rate, burst);
      if (!check.allowed) return this.refused(check, check.state, tokens);
      checks.push(check);
    }
    if (rpm !== null) {
      const check = await this.admitWindow(tenant.id, rpm);
      if (!check.allowed) return this.refused(check, check.state, tokens);
      checks.push(check);
    }
    if (checks.length === 0 && usage.length === 0) return null;
    const binding = checks.reduce<LimitState | null>((a, c) => (a === null || c.state.remaining < a.remaining ? c.state : a), null);
    return { allowed: true, requests: binding, tokens, refusal: null };
  }

  /**
   * The tenant a request names (Kafka requests carry no key), read at most every 30 s and refreshed
   * in the background after that (a request does not wait for the database once the tenant is known);
   * null when unknown.
   */
  tenantById(tenantId: string): Promise<Tenant | null> {
    return this.tenants.get(tenantId, () => this.repository.findTenant(tenantId));
  }

  /** Like `admit`, for requests that name their tenant (Kafka). */
  async admitTenantId(tenantId: string): Promise<RateDecision | null> {
    const tenant = await this.tenantById(tenantId);
    return tenant ? this.admit(tenant) : null;
  }

  /** Throws `ballast.quota_exceeded` or `ballast.budget_exceeded` when a request naming `tenantId` is over a limit. */
  async enforceTenantId(tenantId: string): Promise<void> {
    const decision = await this.admitTenantId(tenantId);
    if (decision && !decision.allowed) throw quotaExceeded(tenantId, decision);
  }

  /** Drops what this replica cached about these tenants (their record changed). */
  forgetTenants(tenantIds: readonly string[]): void {
    const ids = new Set(tenantIds);
    this.tenants.invalidate((id) => ids.has(id));
  }

  private refused(check: Check, requests: LimitState | null, tokens: LimitState | null): RateDecision {
    const retryAfterSeconds = Math.max(1, Math.ceil((check.state.resetAt - this.now()) / 1000));
    return { allowed: false, requests, tokens, refusal: { quota: check.quota, limit: check.limit, retryAfterSeconds } };
  }

  private async checkUsage(tenant: Pick<Tenant, 'id' | 'quotas'>): Promise<Check[]> {
    const quotas = USAGE_QUOTAS.filter((name) => quota(tenant.quotas, name) !== null);
    if (quotas.length === 0 || !this.repository.usageTotals) return [];
    const now = this.now();
    const windows = USAGE_QUOTAS.map((name) => usageWindow(name, now));
    const snapshot = await this.usage.get(tenant.id, () => this.readUsage(tenant.id, now));
    return quotas.map((name: UsageQuota) => {
      const i = USAGE_QUOTAS.indexOf(name);
      // A window that started after the snapshot has no usage yet.
      const used = snapshot.starts[i] === windows[i]!.start ? snapshot.totals[i]! : 0;
      const limit = tenant.quotas[name]!;
      return { allowed: used < limit, quota: name, limit, state: { limit, remaining: Math.max(0, Math.floor(limit - used)), resetAt: windows[i]!.end } };
    });
  }

  private async readUsage(tenantId: string, now: number): Promise<UsageSnapshot> {
    const starts = USAGE_QUOTAS.map((name) => usageWindow(name, now).start);
    const totals = await this.repository.usageTotals!(tenantId, USAGE_QUOTAS.map((metric, i) => ({ metric, windowStart: new Date(starts[i]!) })));
    return { starts, totals };
  }

  private async admitBucket(tenantId: string, rate: number, burst: number): Promise<Check> {
    let state = this.buckets.get(tenantId);
    if (!state) {
      if (this.buckets.size >= MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value!);
      this.buckets.set(tenantId, (state = { local: 0, leasedAt: 0, level: burst, lastBlock: 1, emptyUntil: 0, leasing: null }));
    }
    const s = state;
    for (;;) {
      const now = this.now();
      if (s.local > 0 && now - s.leasedAt > BUCKET_LEASE_TTL_MS) s.local = 0;
      const view = (): LimitState => {
        const remaining = Math.max(0, Math.min(burst, Math.floor(s.level) + s.local));
        return { limit: burst, remaining, resetAt: now + (rate > 0 ? Math.ceil(((burst - remaining) / rate) * 1000) : WINDOW_MS) };
      };
      if (s.local > 0) {
        s.local--;
        if (s.local < s.lastBlock / 2 && !s.leasing) this.startBucketLease(tenantId, s, rate, burst, true);
        return { allowed: true, quota: REQUESTS_PER_SECOND, limit: rate, state: view() };
      }
      if (now < s.emptyUntil || burst < 1) {
        return { allowed: false, quota: REQUESTS_PER_SECOND, limit: rate, state: { limit: burst, remaining: 0, resetAt: burst < 1 ? now + WINDOW_MS : s.emptyUntil } };
      }
      await (s.leasing ?? this.startBucketLease(tenantId, s, rate, burst, false));
    }
  }

  private startBucketLease(tenantId: string, s: BucketState, rate: number, burst: number, background: boolean): Promise<void> {
    const block = Math.max(1, Math.min(Math.ceil(rate * this.maxBlockFraction), Math.floor(burst / 4)));
    const leasing = (async () => {
      const now = this.now();
      const { granted, tokens } = await this.repository.takeBucket!({ tenantId, bucket: REQUESTS_PER_SECOND, capacity: burst, refillPerSecond: rate, requested: block, nowMs: now });
      if (s.local > 0 && now - s.leasedAt > BUCKET_LEASE_TTL_MS) s.local = 0;
      s.local += granted;
      s.leasedAt = now;
      s.level = tokens;
      s.lastBlock = block;
      if (granted === 0) s.emptyUntil = now + (rate > 0 ? Math.ceil(((1 - tokens) / rate) * 1000) : WINDOW_MS);
    })().finally(() => {
      s.leasing = null;
    });
    s.leasing = leasing;
    if (background) leasing.catch(() => undefined);
    return leasing;
  }

  private async admitWindow(tenantId: string, limit: number): Promise<Check> {
    for (;;) {
      const now = this.now();
      const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      const state = this.window(tenantId, windowStart);
      const resetAt = windowStart + WINDOW_MS;
      if (state.local > 0) {
        state.local--;
        if (state.local < state.lastBlock / 2 && !state.leasing && !state.exhausted) this.startWindowLease(tenantId, state, limit).catch(() => undefined);
        return { allowed: true, quota: REQUESTS_PER_MINUTE, limit, state: { limit, remaining: Math.max(0, limit - state.used) + state.local, resetAt } };
      }
      if (state.exhausted || limit === 0) return { allowed: false, quota: REQUESTS_PER_MINUTE, limit, state: { limit, remaining: 0, resetAt } };
      // Requests arriving while a lease is out wait for it rather than asking Postgres again.
      await (state.leasing ?? this.startWindowLease(tenantId, state, limit));
    }
  }

  private window(tenantId: string, windowStart: number): WindowState {
    let state = this.windows.get(tenantId);
    if (state?.windowStart === windowStart) return state;
    if (this.windows.size >= MAX_TRACKED) {
      for (const [id, s] of this.windows) if (s.windowStart < windowStart && !s.leasing) this.windows.delete(id);
    }
    state = { windowStart, local: 0, used: 0, exhausted: false, lastBlock: 1, leasing: null };
    this.windows.set(tenantId, state);
    return state;
  }

  /** Leases a block: a twentieth of the limit at most, a tenth of what is left at least one, so the tail is shared finely. */
  private startWindowLease(tenantId: string, state: WindowState, limit: number): Promise<void> {
    const maxBlock = Math.max(1, Math.ceil(limit * this.maxBlockFraction));
    const requested = Math.max(1, Math.min(maxBlock, Math.floor((limit - state.used) / 10)));
    state.leasing = (async () => {
      const { granted, used } = await this.repository.takeQuota({ tenantId, quota: REQUESTS_PER_MINUTE, windowStart: new Date(state.windowStart), requested, limit });
      state.local += granted;
      state.used = used;
      state.lastBlock = requested;
      if (granted === 0 || used >= limit) state.exhausted = true;
    })().finally(() => {
      state.leasing = null;
    });
    return state.leasing;
  }
}

/** A quota's value when it is a usable limit (a finite number of 0 or more), else null. */
function quota(quotas: Record<string, number>, name: string): number | null {
  const value = quotas[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

const REFUSAL_TEXT: Record<string, (limit: number) => string> = {
  [REQUESTS_PER_SECOND]: (l) => `${l} requests per second`,
  [REQUESTS_PER_MINUTE]: (l) => `${l} requests per minute`,
  tokensPerMinute: (l) => `${l} tokens per minute`,
  usdPerDay: (l) => `its budget of ${l} USD per day (UTC)`,
  usdPerMonth: (l) => `its budget of ${l} USD per month (UTC)`,
};

/**
 * The error for a request over a limit (HTTP 429): `ballast.budget_exceeded` for a spending budget,
 * `ballast.quota_exceeded` for request and token rates.
 */
export function quotaExceeded(tenantId: string, decision: RateDecision): BallastError {
  const refusal = decision.refusal ?? { quota: REQUESTS_PER_MINUTE, limit: decision.requests?.limit ?? 0, retryAfterSeconds: 1 };
  const budget = refusal.quota === 'usdPerDay' || refusal.quota === 'usdPerMonth';
  const what = (REFUSAL_TEXT[refusal.quota] ?? ((l: number) => `its ${refusal.quota} of ${l}`))(refusal.limit);
  return new BallastError(
    budget ? ERROR_CODES.budgetExceeded : ERROR_CODES.quotaExceeded,
    `tenant "${tenantId}" is over ${budget ? '' : 'its limit of '}${what}; retry after ${refusal.retryAfterSeconds} s`,
    { status: 429, details: { quota: refusal.quota, limit: refusal.limit, retryAfterSeconds: refusal.retryAfterSeconds } },
  );
}
