import { randomBytes } from 'node:crypto';
import { Body, Controller, Delete, Get, Inject, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { ApiErrorFilter } from '../http/api-error.filter.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { TenantChangesPoller } from '../limits/tenant-changes.poller.js';
import { AdminGuard } from './admin.guard.js';
import { parseAdminBody } from './admin-prompts.bodies.js';
import { IssueKeyBody } from './admin-tenants.bodies.js';
import { keyView } from './admin-tenants.controller.js';

interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
}

/** A new key: `bk_` and 48 hex digits (192 random bits). */
export function newApiKey(): string {
  return `bk_${randomBytes(24).toString('hex')}`;
}

/**
 * The admin API for API keys: issue (the key is in this one answer and nowhere else; only its
 * sha256 and a display prefix are stored), list (prefixes only) and revoke (refused by every ingress
 * replica within the tenant change-log poll, 250 ms; at once on this one).
 */
@Controller('v1/admin')
@UseGuards(AdminGuard)
@UseFilters(ApiErrorFilter)
export class AdminKeysController {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly changes: TenantChangesPoller,
  ) {}

  @Get('tenants/:id/keys')
  async list(@Param('id') tenantId: string) {
    await this.tenant(tenantId);
    return { keys: (await this.deps.tenants.listApiKeys(tenantId)).map(keyView) };
  }

  @Post('tenants/:id/keys')
  async issue(@Param('id') tenantId: string, @Body() body: unknown, @Res({ passthrough: true }) reply: Reply) {
    const input = parseAdminBody(IssueKeyBody, body);
    await this.tenant(tenantId);
    const key = newApiKey();
    const record = await this.deps.tenants.createApiKey(tenantId, key, input.label ?? null);
    await this.changes.poll().catch(() => undefined);
    reply.status(201).header('cache-control', 'no-store');
    return { ...keyView(record), key, note: 'the key is shown only this once: store it now' };
  }

  @Delete('keys/:keyId')
  async revoke(@Param('keyId') keyId: string) {
    const record = await this.deps.tenants.revokeApiKey(keyId);
    if (!record) throw new BallastError(ERROR_CODES.invalidRequest, `no key with id '${keyId.slice(0, 100)}': list a tenant's keys with GET /v1/admin/tenants/<id>/keys`, { status: 404 });
    await this.changes.poll().catch(() => undefined);
    return keyView(record);
  }

  private async tenant(id: string): Promise<void> {
    if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(id) || !(await this.deps.tenants.findTenant(id))) {
      throw new BallastError(ERROR_CODES.invalidRequest, `no tenant '${id.slice(0, 100)}': create it with POST /v1/admin/tenants`, { status: 404 });
    }
  }
}
