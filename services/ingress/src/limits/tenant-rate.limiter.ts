import { BallastError, ERROR_CODES } from '#contracts';
import type { Tenant, TenantRepository } from '#persistence';
import { RefreshingCache } from '../lookups/refreshing.cache.js';

export const REQUESTS_PER_MINUTE = 'requestsPerMinute';
const WINDOW_MS = 60_000;
const TENANT_CACHE_MS = 30_000;
/** A tenant's record is served while refreshed in the background until it is this old. */
const TENANT_MAX_STALE_MS = 300_000;
const MAX_TRACKED = 10_000;

/** What one request got from its tenant's `requestsPerMinute`. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  /** Requests left in this window as far as this replica knows (other replicas may have used some). */
  remaining: number;
  /** When the window ends, epoch milliseconds. */
  resetAt: number;
  /** Whole seconds until the window ends (at least 1), for `Retry-After`. */
  retryAfterSeconds: number;
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
  leasing: Promise<void> | null;
}

/**
 * Enforces each tenant's `requestsPerMinute` in fixed one-minute windows shared by every ingress
 * replica: counts live in Postgres (`TenantRepository.takeQuota`), and each replica leases small
 * blocks of the budget so most requests touch only memory. Postgres never grants more than the
 * limit in a window, so replicas together never admit more; see docs/rate-limits.md for the bounds.
 */
export class TenantRateLimiter {
  private readonly windows = new Map<string, WindowState>();
  private readonly tenants: RefreshingCache<Tenant | null>;
  private readonly now: () => number;
  private readonly maxBlockFraction: number;

  constructor(
    private readonly repository: Pick<TenantRepository, 'takeQuota' | 'findTenant'>,
    options: TenantRateLimiterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxBlockFraction = options.maxBlockFraction ?? 1 / 20;
    this.tenants = new RefreshingCache({ freshMs: TENANT_CACHE_MS, maxStaleMs: TENANT_MAX_STALE_MS, maxEntries: MAX_TRACKED, now: this.now });
  }

  /** Counts one request against the tenant's limit; null when the tenant has none. */
  async admit(tenant: Pick<Tenant, 'id' | 'quotas'>): Promise<RateDecision | null> {
    const limit = tenant.quotas[REQUESTS_PER_MINUTE];
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) return null;
    for (;;) {
      const now = this.now();
      const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      const state = this.window(tenant.id, windowStart);
      const resetAt = windowStart + WINDOW_MS;
      const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - now) / 1000));
      if (state.local > 0) {
        state.local--;
        return { allowed: true, limit, remaining: Math.max(0, limit - state.used) + state.local, resetAt, retryAfterSeconds };
      }
      if (state.exhausted || limit === 0) return { allowed: false, limit, remaining: 0, resetAt, retryAfterSeconds };
      // Requests arriving while a lease is out wait for it rather than asking Postgres again.
      state.leasing ??= this.lease(tenant.id, state, limit).finally(() => {
        state.leasing = null;
      });
      await state.leasing;
    }
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

  /** Throws `ballast.quota_exceeded` when a request naming `tenantId` is over its tenant's limit. */
  async enforceTenantId(tenantId: string): Promise<void> {
    const decision = await this.admitTenantId(tenantId);
    if (decision && !decision.allowed) throw quotaExceeded(tenantId, decision);
  }

  private window(tenantId: string, windowStart: number): WindowState {
    let state = this.windows.get(tenantId);
    if (state?.windowStart === windowStart) return state;
    if (this.windows.size >= MAX_TRACKED) {
      for (const [id, s] of this.windows) if (s.windowStart < windowStart && !s.leasing) this.windows.delete(id);
    }
    state = { windowStart, local: 0, used: 0, exhausted: false, leasing: null };
    this.windows.set(tenantId, state);
    return state;
  }

  /** Leases a block: a twentieth of the limit at most, a tenth of what is left at least one, so the tail is shared finely. */
  private async lease(tenantId: string, state: WindowState, limit: number): Promise<void> {
    const maxBlock = Math.max(1, Math.ceil(limit * this.maxBlockFraction));
    const requested = Math.max(1, Math.min(maxBlock, Math.floor((limit - state.used) / 10)));
    const { granted, used } = await this.repository.takeQuota({
      tenantId,
      quota: REQUESTS_PER_MINUTE,
      windowStart: new Date(state.windowStart),
      requested,
      limit,
    });
    state.local += granted;
    state.used = used;
    if (granted === 0 || used >= limit) state.exhausted = true;
  }
}

/** The error for a request over its tenant's limit (HTTP 429). */
export function quotaExceeded(tenantId: string, decision: RateDecision): BallastError {
  return new BallastError(
    ERROR_CODES.quotaExceeded,
    `tenant "${tenantId}" is over its limit of ${decision.limit} requests per minute; retry after ${decision.retryAfterSeconds} s`,
    { status: 429 },
  );
}
