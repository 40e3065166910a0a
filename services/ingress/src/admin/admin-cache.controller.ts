import { randomUUID } from 'node:crypto';
import { Controller, Delete, HttpCode, Inject, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { BallastError, ERROR_CODES, TOPICS, createEnvelope, isTenantId, parsePromptSelector, type CachePurge } from '#contracts';
import { ApiErrorFilter } from '../http/api-error.filter.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { AdminGuard, type AdminRequest } from './admin.guard.js';

/** Purge orders belong to no tenant's traffic; the envelope still needs one. */
const ADMIN_TENANT = 'ballast-admin';

export interface CachePurgeAccepted {
  purgeId: string;
  prompt: string;
  version: number | null;
  tenant: string | null;
}

/**
 * The admin API for the cache: `DELETE /v1/admin/cache?prompt=name[@version][&tenant=t]` orders the
 * cache stage (on `ballast.cache-admin.v1`) to delete that scope from the exact layer and the
 * semantic store, the same purge `ballast cache purge` runs. 202: the order is on the bus.
 */
@Controller('v1/admin/cache')
@UseGuards(AdminGuard)
@UseFilters(ApiErrorFilter)
export class AdminCacheController {
  constructor(@Inject(INGRESS_DEPS) private readonly deps: IngressDeps) {}

  @Delete()
  @HttpCode(202)
  async purge(@Query() query: Record<string, unknown>, @Req() req: AdminRequest): Promise<CachePurgeAccepted> {
    const unknown = Object.keys(query).filter((k) => k !== 'prompt' && k !== 'tenant');
    if (unknown.length > 0) throw invalid(`unknown query parameter ${unknown.join(', ')}: give prompt=name[@version] and optionally tenant`);
    const rawPrompt = query['prompt'];
    if (typeof rawPrompt !== 'string' || rawPrompt.length === 0) throw invalid('give the prompt to purge: ?prompt=name or ?prompt=name@version');
    const prompt = parsePromptSelector(rawPrompt);
    if (!prompt) throw invalid(`prompt=${rawPrompt.slice(0, 120)} is not name or name@version (e.g. support-answer@3)`);
    const tenant = query['tenant'];
    if (tenant !== undefined && (typeof tenant !== 'string' || !isTenantId(tenant))) throw invalid('tenant must be one tenant id: lower-case letters, digits, _ and -');
    const order: CachePurge = { ...prompt, tenantId: tenant ?? null, actor: req.adminActor! };
    const purgeId = `purge:${randomUUID()}`;
    await this.deps.publisher.publish(TOPICS.cacheAdmin, createEnvelope(TOPICS.cacheAdmin, order, { requestId: purgeId, tenantId: ADMIN_TENANT }));
    return { purgeId, prompt: prompt.promptName, version: prompt.promptVersion, tenant: order.tenantId };
  }
}

function invalid(message: string): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, message, { status: 400 });
}
