import { Body, Controller, Get, Inject, Param, Patch, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import type { ApiKeyRecord, Tenant } from '#persistence';
import { ApiErrorFilter } from '../http/api-error.filter.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { TenantChangesPoller } from '../limits/tenant-changes.poller.js';
import { AdminGuard } from './admin.guard.js';
import { parseAdminBody } from './admin-prompts.bodies.js';
import { CreateTenantBody, UpdateTenantBody } from './admin-tenants.bodies.js';

interface Reply {
  status(code: number): Reply;
}

/** A tenant as the admin API shows it. */
export function tenantView(t: Tenant) {
  return { id: t.id, name: t.name, createdAt: t.createdAt.toISOString(), allowedModels: t.allowedModels, allowedPrompts: t.allowedPrompts, quotas: t.quotas };
}

/** A key as the admin API lists it: its prefix, never the key. */
export function keyView(k: ApiKeyRecord) {
  return { id: k.id, tenantId: k.tenantId, prefix: k.prefix, label: k.label, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null };
}

/** The admin API for tenants: create, list, show (with its keys) and update allowed models, prompts and limits. */
@Controller('v1/admin/tenants')
@UseGuards(AdminGuard)
@UseFilters(ApiErrorFilter)
export class AdminTenantsController {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly changes: TenantChangesPoller,
  ) {}

  @Get()
  async list() {
    return { tenants: (await this.deps.tenants.listTenants()).map(tenantView) };
  }

  @Post()
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: Reply) {
    const input = parseAdminBody(CreateTenantBody, body);
    if (await this.deps.tenants.findTenant(input.id)) {
      throw new BallastError(ERROR_CODES.invalidRequest, `tenant '${input.id}' already exists: change it with PATCH /v1/admin/tenants/${input.id}`, { status: 409 });
    }
    const tenant = await this.deps.tenants.upsertTenant({
      id: input.id,
      name: input.name ?? input.id,
      allowedModels: input.allowedModels ?? [],
      allowedPrompts: input.allowedPrompts ?? null,
      quotas: input.quotas ?? {},
    });
    reply.status(201);
    return tenantView(tenant);
  }

  @Get(':id')
  async show(@Param('id') id: string) {
    const tenant = await this.existing(id);
    return { ...tenantView(tenant), keys: (await this.deps.tenants.listApiKeys(id)).map(keyView) };
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: unknown) {
    const input = parseAdminBody(UpdateTenantBody, body);
    const tenant = await this.existing(id);
    let quotas: Record<string, number> | undefined;
    if (input.quotas) {
      quotas = { ...tenant.quotas };
      for (const [name, value] of Object.entries(input.quotas)) {
        if (value === null) delete quotas[name];
        else if (value !== undefined) quotas[name] = value;
      }
    }
    const updated = await this.deps.tenants.upsertTenant({
      id,
      name: input.name ?? tenant.name,
      ...(input.allowedModels !== undefined ? { allowedModels: input.allowedModels } : {}),
      ...(input.allowedPrompts !== undefined ? { allowedPrompts: input.allowedPrompts } : {}),
      ...(quotas ? { quotas } : {}),
    });
    await this.changes.poll().catch(() => undefined);
    return tenantView(updated);
  }

  private async existing(id: string): Promise<Tenant> {
    const tenant = /^[a-z0-9][a-z0-9_-]{0,99}$/.test(id) ? await this.deps.tenants.findTenant(id) : null;
    if (!tenant) throw new BallastError(ERROR_CODES.invalidRequest, `no tenant '${id.slice(0, 100)}': list them with GET /v1/admin/tenants`, { status: 404 });
    return tenant;
  }
}
