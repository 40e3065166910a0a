import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { BallastError, ChatMessage, ERROR_CODES, LlmRequest, type LlmResponse } from '#contracts';
import { templateVariables, type Tenant } from '#persistence';
import { PromptResolver } from '../prompts/prompt.resolver.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { SubmitAndWaitService } from '../submit/submit-and-wait.service.js';
import { OpenAiChunkSink } from '../stream/openai.sink.js';
import { StreamService } from '../stream/stream.service.js';
import { ApiErrorFilter } from './api-error.filter.js';
import { checkNesting, issuesOf } from './request-body.js';
import { withRequestSpan, type TracedHttpRequest } from './request-span.js';
import { TenantGuard } from './tenant.guard.js';
import { outcomeHeaders, type Reply } from './requests.controller.js';

const PROMPT_PREFIX = 'prompt:';

const ChatCompletionBody = z.object({
  model: z.string().min(1).max(200),
  messages: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']), content: z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() }))]), name: z.string().optional() }))
    .min(1)
    .max(500),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  user: z.string().max(200).optional(),
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_schema'), json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullish() }) }),
    ])
    .optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * The OpenAI wire format, so the official SDKs work against Ballast. A registered prompt is called
 * as model `prompt:<name>` with its variables in `metadata` (the last user message is `input`).
 */
@Controller('v1')
@UseGuards(TenantGuard)
@UseFilters(ApiErrorFilter)
export class OpenAiController {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly submit: SubmitAndWaitService,
    private readonly prompts: PromptResolver,
    private readonly streams: StreamService,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() req: { tenant: Tenant; headers: Record<string, string | undefined> } & TracedHttpRequest, @Res({ passthrough: true }) reply: Reply) {
    checkNesting(body);
    const parsed = ChatCompletionBody.safeParse(body);
    if (!parsed.success) throw new BallastError(ERROR_CODES.invalidRequest, 'the body is not a chat completion request', { status: 400, details: issuesOf(parsed.error) });
    const b = parsed.data;
    const messages: ChatMessage[] = b.messages.map((m) => ({
      role: m.role === 'developer' ? 'system' : m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
    }));
    const requestId = req.headers['idempotency-key'] ?? req.headers['x-ballast-request-id'] ?? `chatcmpl-${randomUUID()}`;
    const format = b.response_format?.type === 'json_schema'
      ? { type: 'json_schema' as const, name: b.response_format.json_schema.name, schema: b.response_format.json_schema.schema, strict: b.response_format.json_schema.strict ?? true }
      : undefined;
    const options = { cache: 'default' as const, judge: 'default' as const, ...(b.temperature !== undefined ? { temperature: b.temperature } : {}), ...((b.max_completion_tokens ?? b.max_tokens) ? { maxTokens: b.max_completion_tokens ?? b.max_tokens } : {}) };
    const base = b.model.startsWith(PROMPT_PREFIX)
      ? { prompt: { name: b.model.slice(PROMPT_PREFIX.length) }, variables: await this.promptVariables(b.model.slice(PROMPT_PREFIX.length), messages, b.metadata ?? {}), messages: [] }
      : { model: b.model, messages };
    const request = LlmRequest.safeParse({ requestId, tenantId: req.tenant.id, ...base, options, ...(format ? { responseFormat: format } : {}) });
    if (!request.success) throw new BallastError(ERROR_CODES.invalidRequest, 'the request is not valid', { status: 400, details: issuesOf(request.error) });
    if (b.stream) {
      const includeUsage = b.stream_options?.include_usage === true;
      return withRequestSpan(req, '/v1/chat/completions', request.data, () => this.streams.serve(request.data, req.tenant, reply, (write) => new OpenAiChunkSink(write, { id: request.data.requestId, model: b.model, includeUsage, fingerprint: null })));
    }
    const result = await withRequestSpan(req, '/v1/chat/completions', request.data, () => this.submit.run(request.data, req.tenant, true));
    if (!('outcome' in result)) throw new BallastError(ERROR_CODES.internal, 'no outcome');
    const outcome = result.outcome;
    outcomeHeaders(reply, outcome, result.replay);
    if (outcome.status !== 'completed' && outcome.source !== 'fallback') {
      const status = outcome.status === 'blocked' ? 400 : outcome.error?.code === ERROR_CODES.deadlineExceeded ? 504 : 502;
      throw new BallastError((outcome.error?.code ?? ERROR_CODES.internal) as never, outcome.error?.message ?? outcome.status, { status });
    }
    return toChatCompletion(outcome, b.model);
  }

  /** `metadata` gives the variables; the last user message fills the one the template still needs. */
  private async promptVariables(name: string, messages: ChatMessage[], metadata: Record<string, string>): Promise<Record<string, unknown>> {
    const resolved = await this.prompts.resolve({ name });
    const needed = resolved ? resolved.version.template.messages.flatMap((m) => templateVariables(m.content)).filter((v) => !(v in metadata)) : [];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    return { ...metadata, ...(needed.length === 1 ? { [needed[0]!]: lastUser } : { input: lastUser }) };
  }

  @Get('models')
  async models(@Req() req: { tenant: Tenant }) {
    const prompts = await this.deps.registry.list();
    const created = (d: Date) => Math.floor(d.getTime() / 1000);
    return {
      object: 'list',
      data: [
        ...req.tenant.allowedModels.map((id) => ({ id, object: 'model', created: created(req.tenant.createdAt), owned_by: 'ballast' })),
        ...prompts.map((p) => ({ id: `${PROMPT_PREFIX}${p.name}`, object: 'model', created: created(p.createdAt), owned_by: 'ballast-prompt' })),
      ],
    };
  }
}

function toChatCompletion(outcome: LlmResponse, requestedModel: string) {
  const usage = outcome.usage;
  return {
    id: outcome.requestId,
    object: 'chat.completion',
    created: Math.floor(Date.parse(outcome.completedAt) / 1000),
    model: outcome.model ?? requestedModel,
    choices: [{ index: 0, message: { role: 'assistant', content: outcome.content ?? '', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: {
      prompt_tokens: usage?.inputTokens ?? 0,
      completion_tokens: usage?.outputTokens ?? 0,
      total_tokens: (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0),
      prompt_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0 },
    },
    system_fingerprint: outcome.prompt ? `${outcome.prompt.name}@${outcome.prompt.version}` : null,
  };
}
