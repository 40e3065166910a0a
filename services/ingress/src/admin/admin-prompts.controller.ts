import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { PromptRegistryService, type LabelChangeResult, type PromptDetails, type PromptSummary, type PublishResult } from '#persistence';
import { ApiErrorFilter } from '../http/api-error.filter.js';
import { AdminGuard, type AdminRequest } from './admin.guard.js';
import { parseAdminBody, PromoteBody, RollbackBody } from './admin-prompts.bodies.js';

interface Reply {
  status(code: number): Reply;
}

/** The admin API for the prompt registry: the same use case as the CLI and the seed. */
@Controller('v1/admin/prompts')
@UseGuards(AdminGuard)
@UseFilters(ApiErrorFilter)
export class AdminPromptsController {
  constructor(private readonly registry: PromptRegistryService) {}

  @Get()
  async list(): Promise<{ prompts: ReturnType<typeof labelsView>[] }> {
    return { prompts: (await this.registry.list()).map(labelsView) };
  }

  /** Publishes a definition (the `prompts/*.yaml` schema, as JSON): 201 for a new version, 200 when unchanged. */
  @Post()
  async publish(@Body() body: unknown, @Req() req: AdminRequest, @Res({ passthrough: true }) reply: Reply): Promise<PublishResult & { name: string }> {
    const result = await this.registry.publish(body as never, { actor: req.adminActor! });
    reply.status(result.created ? 201 : 200);
    return { name: (body as { name: string }).name, ...result };
  }

  @Get(':name')
  async show(@Param('name') name: string): Promise<ReturnType<typeof labelsView> & { versions: PromptDetails['versions'] }> {
    const { summary, versions } = await this.registry.details(name);
    return { ...labelsView(summary), versions };
  }

  @Post(':name/promote')
  @HttpCode(200)
  async promote(@Param('name') name: string, @Body() body: unknown, @Req() req: AdminRequest): Promise<LabelChangeResult> {
    const input = parseAdminBody(PromoteBody, body);
    return this.registry.promote(name, {
      label: input.label,
      actor: req.adminActor!,
      reason: input.reason ?? null,
      ...(input.version !== undefined ? { version: input.version } : {}),
      ...(input.canary !== undefined ? { canaryPercent: input.canary } : {}),
      ...(input.finish !== undefined ? { finish: input.finish } : {}),
      ...(input.force !== undefined ? { force: input.force } : {}),
    });
  }

  @Post(':name/rollback')
  @HttpCode(200)
  async rollback(@Param('name') name: string, @Body() body: unknown, @Req() req: AdminRequest): Promise<LabelChangeResult> {
    const input = parseAdminBody(RollbackBody, body);
    return this.registry.rollback(name, { label: input.label, actor: req.adminActor!, reason: input.reason ?? null });
  }

  @Get(':name/history')
  async history(@Param('name') name: string) {
    return { name, events: await this.registry.history(name) };
  }
}

/** A prompt's labels with their canary split, as the admin API shows them. */
function labelsView(p: PromptSummary) {
  return {
    name: p.name,
    createdAt: p.createdAt,
    latestVersion: p.latestVersion,
    labels: Object.fromEntries(Object.entries(p.labels).map(([label, version]) => [label, { version, canary: p.canaries[label] ?? null }])),
  };
}
