import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TenantRepository } from '#persistence';
import { createLogger } from '#observability';
import { TenantKeys } from '../http/tenant.guard.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { TenantRateLimiter } from './tenant-rate.limiter.js';

/** How often each replica reads the tenant change log: a revoked key is refused everywhere within this (plus one query). */
export const TENANT_CHANGES_POLL_MS = 250;
/** Optional provider of the poll interval in ms (tests); 0 turns the timer off (call `poll()` yourself). */
export const TENANT_CHANGES_POLL = Symbol('TENANT_CHANGES_POLL');

/**
 * Makes tenant and key changes (a revoked key, new limits, allowed models) take effect on this
 * replica within TENANT_CHANGES_POLL_MS: every write to tenants or keys appends a row to
 * `tenant_changes` in the same transaction, and this reads the rows after the last one it saw and
 * drops what TenantKeys and the limiter cached for those tenants. The change log, not the bus,
 * carries the change, so it works the same on PGlite and Postgres and cannot be lost between a
 * write and a publish; the admin API also calls `poll()` at once so its own replica is immediate.
 */
@Injectable()
export class TenantChangesPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private seq: number | null = null;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private readonly log = createLogger({ service: 'ingress' }).child({ logger: 'ballast.tenant-changes' });
  private readonly intervalMs: number;
  private failing = false;

  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: Pick<IngressDeps, 'tenants'>,
    private readonly keys: TenantKeys,
    private readonly limiter: TenantRateLimiter,
    @Optional() @Inject(TENANT_CHANGES_POLL) intervalMs?: number,
  ) {
    this.intervalMs = intervalMs ?? TENANT_CHANGES_POLL_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.poll().catch(() => undefined);
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => void this.poll().catch(() => undefined), this.intervalMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Reads the change log once (a call during a read waits for that read and then reads again). */
  async poll(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.read(this.deps.tenants).finally(() => (this.running = null));
    return this.running;
  }

  private async read(tenants: Pick<TenantRepository, 'tenantChangesSince'>): Promise<void> {
    try {
      const changes = await tenants.tenantChangesSince(this.seq);
      if (this.seq !== null && changes.tenantIds.length > 0) {
        this.keys.forgetTenants(changes.tenantIds);
        this.limiter.forgetTenants(changes.tenantIds);
      }
      this.seq = changes.seq;
      if (this.failing) this.log.info('reading the tenant change log works again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn({ err: { type: error instanceof Error ? error.name : typeof error } }, 'reading the tenant change log failed; cached keys expire after 10 s meanwhile');
      this.failing = true;
      throw error;
    }
  }
}
