import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { apiKeyHash, type Tenant } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { quotaExceeded, TenantRateLimiter, type LimitState, type RateDecision } from '../limits/tenant-rate.limiter.js';
import { openAiDuration } from '../limits/usage-windows.js';

/** Longer keys are refused unread: real keys are far shorter, and a long one costs a hash and a cache entry. */
export const MAX_API_KEY_LENGTH = 256;

export interface TenantGuardOptions {
  /**
   * A key is re-read after this long even if no change was seen (the change-log poll makes a
   * revocation take effect within its interval; this is the bound should polling fail).
   */
  validTtlMs: number;
  validMaxEntries: number;
  /** A wrong key is answered from memory for this long, so a retry loop does not hit Postgres each time. */
  invalidTtlMs: number;
  invalidMaxEntries: number;
  now: () => number;
}

/** Optional provider of `Partial<TenantGuardOptions>`; the defaults apply without it. */
export const TENANT_GUARD_OPTIONS = Symbol('TENANT_GUARD_OPTIONS');

export const DEFAULT_TENANT_GUARD_OPTIONS: Readonly<TenantGuardOptions> = Object.freeze({
  validTtlMs: 10_000,
  validMaxEntries: 10_000,
  invalidTtlMs: 5_000,
  invalidMaxEntries: 1_000,
  now: () => Date.now(),
});

interface HttpReply {
  header(name: string, value: string): unknown;
}

/**
 * This replica's memory of API keys: the tenant of each recently used key and recently refused
 * wrong keys, by sha256 only (the key itself is never kept, logged or put in an error). One
 * instance per replica, shared by the guard and TenantChangesPoller, which drops a changed tenant's
 * keys (`forgetTenants`) so a revocation takes effect within the poll interval.
 */
@Injectable()
export class TenantKeys {
  private readonly valid: BoundedCache<Tenant>;
  private readonly invalid: BoundedCache<true>;
  readonly options: TenantGuardOptions;

  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: Pick<IngressDeps, 'tenants'>,
    @Optional() @Inject(TENANT_GUARD_OPTIONS) options?: Partial<TenantGuardOptions>,
  ) {
    this.options = { ...DEFAULT_TENANT_GUARD_OPTIONS, ...options };
    this.valid = new BoundedCache(this.options.validMaxEntries);
    this.invalid = new BoundedCache(this.options.invalidMaxEntries);
  }

  /** The tenant of a live key, or null; Postgres is asked (by the key's sha256) only for keys not remembered. */
  async lookup(key: string): Promise<Tenant | null> {
    if (key.length > MAX_API_KEY_LENGTH) return null;
    const hash = apiKeyHash(key);
    const now = this.options.now();
    const known = this.valid.get(hash, now);
    if (known) return known;
    if (this.invalid.get(hash, now)) return null;
    const tenant = await this.deps.tenants.findTenantByApiKey(key);
    if (tenant) this.valid.set(hash, tenant, now + this.options.validTtlMs);
    else this.invalid.set(hash, true, now + this.options.invalidTtlMs);
    return tenant;
  }

  /** Drops cached keys of these tenants and every remembered wrong key (a key may just have been issued). */
  forgetTenants(tenantIds: readonly string[]): void {
    const ids = new Set(tenantIds);
    this.valid.deleteWhere((tenant) => ids.has(tenant.id));
    this.invalid.deleteWhere(() => true);
  }

  /** Entries held for valid and for wrong keys; each is bounded by its `MaxEntries`. */
  sizes(): { valid: number; invalid: number } {
    return { valid: this.valid.size, invalid: this.invalid.size };
  }
}

/**
 * Authenticates `Authorization: Bearer <key>` to a tenant (TenantKeys) and counts the request
 * against the tenant's limits (TenantRateLimiter), answering 429 with the OpenAI rate-limit headers.
 */
@Injectable()
export class TenantGuard implements CanActivate {
  constructor(
    private readonly keys: TenantKeys,
    private readonly limiter: TenantRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<{ headers: Record<string, string | undefined>; tenant?: Tenant }>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
    if (!match) throw new BallastError(ERROR_CODES.unauthorized, 'send your API key as "Authorization: Bearer <key>"', { status: 401 });
    const tenant = await this.keys.lookup(match[1]!);
    if (!tenant) throw new BallastError(ERROR_CODES.unauthorized, 'the API key is not valid', { status: 401 });
    req.tenant = tenant;
    const decision = await this.limiter.admit(tenant);
    if (decision) this.limit(http.getResponse<HttpReply>(), tenant, decision);
    return true;
  }

  /** Entries held for valid and for wrong keys; each is bounded by its `MaxEntries`. */
  cacheSizes(): { valid: number; invalid: number } {
    return this.keys.sizes();
  }

  /** The `x-ratelimit-*` headers as OpenAI sends them (reset as a duration), plus the older epoch-seconds trio. */
  private limit(reply: HttpReply, tenant: Tenant, decision: RateDecision): void {
    const now = this.keys.options.now();
    const set = (kind: string, s: LimitState) => {
      reply.header(`x-ratelimit-limit-${kind}`, String(s.limit));
      reply.header(`x-ratelimit-remaining-${kind}`, String(s.remaining));
      reply.header(`x-ratelimit-reset-${kind}`, openAiDuration(s.resetAt - now));
    };
    if (decision.requests) {
      set('requests', decision.requests);
      reply.header('x-ratelimit-limit', String(decision.requests.limit));
      reply.header('x-ratelimit-remaining', String(decision.requests.remaining));
      reply.header('x-ratelimit-reset', String(Math.ceil(decision.requests.resetAt / 1000)));
    }
    if (decision.tokens) set('tokens', decision.tokens);
    if (!decision.refusal) return;
    reply.header('retry-after', String(decision.refusal.retryAfterSeconds));
    throw quotaExceeded(tenant.id, decision);
  }
}

/** A map with a size bound (oldest entry out first) and a per-entry expiry. */
class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until > now) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V, until: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }

  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
