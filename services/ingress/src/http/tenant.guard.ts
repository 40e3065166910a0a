import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import type { Tenant } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

const CACHE_MS = 30_000;

/** Authenticates `Authorization: Bearer <key>` to a tenant; the key is only ever compared by hash. */
@Injectable()
export class TenantGuard implements CanActivate {
  private readonly cache = new Map<string, { tenant: Tenant | null; until: number }>();

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; tenant?: Tenant }>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
    if (!match) throw new BallastError(ERROR_CODES.unauthorized, 'send your API key as "Authorization: Bearer <key>"', { status: 401 });
    const tenant = await this.lookup(match[1]!);
    if (!tenant) throw new BallastError(ERROR_CODES.unauthorized, 'the API key is not valid', { status: 401 });
    req.tenant = tenant;
    return true;
  }

  private async lookup(key: string): Promise<Tenant | null> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.tenant;
    const tenant = await this.deps.tenants.findTenantByApiKey(key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { tenant, until: Date.now() + CACHE_MS });
    return tenant;
  }
}
