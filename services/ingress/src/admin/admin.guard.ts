import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';

/** `x-ballast-actor` names who made a change in the label history; without it, `admin`. */
export const ACTOR_HEADER = 'x-ballast-actor';
const ACTOR = /^[\w.@+-][\w .@+-]{0,99}$/;

export interface AdminRequest {
  headers: Record<string, string | undefined>;
  adminActor?: string;
}

/**
 * Lets only `Authorization: Bearer <BALLAST_ADMIN_KEY>` through. With no admin key configured the
 * admin API does not exist (404 saying how to turn it on); a tenant's API key gets 403.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly keyDigest: Buffer | null;

  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {
    this.keyDigest = deps.adminKey ? digest(deps.adminKey) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AdminRequest>();
    if (!this.keyDigest) {
      throw new BallastError(ERROR_CODES.adminDisabled, 'the admin API is off: set BALLAST_ADMIN_KEY on ingress to turn it on', { status: 404 });
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
    if (!match) throw new BallastError(ERROR_CODES.unauthorized, 'send the admin key as "Authorization: Bearer <BALLAST_ADMIN_KEY>"', { status: 401 });
    if (!timingSafeEqual(digest(match[1]!), this.keyDigest)) {
      if (await this.deps.tenants.findTenantByApiKey(match[1]!)) {
        throw new BallastError(ERROR_CODES.forbidden, 'a tenant API key cannot use the admin API: use BALLAST_ADMIN_KEY', { status: 403 });
      }
      throw new BallastError(ERROR_CODES.unauthorized, 'the admin key is not valid', { status: 401 });
    }
    const actor = req.headers[ACTOR_HEADER]?.trim() || 'admin';
    if (!ACTOR.test(actor)) {
      throw new BallastError(ERROR_CODES.invalidRequest, `${ACTOR_HEADER} must be 1-100 letters, digits, spaces or . _ @ + -`, { status: 400 });
    }
    req.adminActor = actor;
    return true;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
