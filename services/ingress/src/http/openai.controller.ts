import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { BallastError, ERROR_CODES, LlmRequest, PromptRef, type ChatMessage, type LlmResponse } from '#contracts';
import { templateVariables, type Tenant } from '#persistence';
import { checkPromptAllowed } from '../limits/tenant-access.js';
import { PromptResolver } from '../prompts/prompt.resolver.js';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { SubmitAndWaitService } from '../submit/submit-and-wait.service.js';
import { OpenAiChunkSink } from '../stream/openai.sink.js';
import { StreamService } from '../stream/stream.service.js';
import { ApiErrorFilter } from './api-error.filter.js';
import { chatMessagesOf, parseChatCompletionBody, requestIdOf, responseFormatOf, type ChatCompletionBody } from './chat-completion.request.js';
import { checkJsonContentType, checkNesting, issuesOf } from './request-body.js';
import { withRequestSpan, type TracedHttpRequest } from './request-span.js';
import { TenantGuard } from './tenant.guard.js';
import { outcomeHeaders, type Reply } from './requests.controller.js';

const PROMPT_PREFIX = 'prompt:';

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
  async create(@Body() body: unknown, @Req() req: ChatCompletionHttpRequest, @Res({ passthrough: true }) reply: Reply) {
    const { chat, request } = await this.prepare(body, req);
    if (chat.stream) return withRequestSpan(req, '/v1/chat/completions', request, () => this.streams.serve(request, req.tenant, reply, (write) => new OpenAiChunkSink(write, { id: request.requestId, model: chat.model, includeUsage: chat.stream_options?.include_usage === true, fingerprint: null })));
    const result = await withRequestSpan(req, '/v1/chat/completions', request, () => this.submit.run(request, req.tenant, true));
    if (!('outcome' in result)) throw new BallastError(ERROR_CODES.internal, 'no outcome');
    const outcome = result.outcome;
    outcomeHeaders(reply, outcome, result.replay);
    if (outcome.status !== 'completed' && outcome.source !== 'fallback') {
      const status = outcome.status === 'blocked' ? 400 : outcome.error?.code === ERROR_CODES.deadlineExceeded ? 504 : 502;
      throw new BallastError((outcome.error?.code ?? ERROR_CODES.internal) as never, outcome.error?.message ?? outcome.status, { status });
    }
    return toChatCompletion(outcome, chat.model);
  }

  /**
   * Everything a chat completion is checked for before it is stored or published (content type,
   * nesting, each OpenAI field, the request id header, the model), and the `LlmRequest` it becomes.
   */
  async prepare(body: unknown, req: ChatCompletionHttpRequest): Promise<{ chat: ChatCompletionBody; request: LlmRequest }> {
    checkJsonContentType(req.headers);
    checkNesting(body);
    const chat = parseChatCompletionBody(body);
    const requestId = requestIdOf(req.headers);
    const messages = chatMessagesOf(chat);
    const format = responseFormatOf(chat);
    const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
    const options = { cache: 'default' as const, judge: 'default' as const, ...(typeof chat.temperature === 'number' ? { temperature: chat.temperature } : {}), ...(maxTokens ? { maxTokens } : {}) };
    const metadata = chat.metadata ?? {};
    const base = chat.model.startsWith(PROMPT_PREFIX)
      ? { prompt: { name: chat.model.slice(PROMPT_PREFIX.length) }, variables: await this.promptVariables(chat.model, req.tenant, messages, metadata), messages: [] }
      : { model: this.allowedModel(chat.model, req.tenant), messages };
    const request = LlmRequest.safeParse({ requestId, tenantId: req.tenant.id, ...base, options, metadata, ...(format ? { responseFormat: format } : {}) });
    if (!request.success) {
      const issues = issuesOf(request.error);
      throw new BallastError(ERROR_CODES.invalidRequest, `the request is not valid: ${issues[0]!.path}: ${issues[0]!.message}`, { status: 400, details: issues });
    }
    return { chat, request: request.data };
  }

  /** Checked here as well as in the pipeline so that an unknown model leaves nothing behind (no ledger row, no message). */
  private allowedModel(model: string, tenant: Tenant): string {
    if (!tenant.allowedModels.includes(model)) throw modelNotFound(model);
    return model;
  }

  /**
   * `metadata` gives the variables; the last user message fills the one the template still needs.
   * An unknown prompt or one the tenant may not use is refused here, before anything is stored.
   */
  private async promptVariables(model: string, tenant: Tenant, messages: ChatMessage[], metadata: Record<string, string>): Promise<Record<string, unknown>> {
    const name = model.slice(PROMPT_PREFIX.length);
    const resolved = PromptRef.safeParse({ name }).success ? await this.prompts.resolve({ name }) : null;
    if (!resolved) throw modelNotFound(model);
    checkPromptAllowed(tenant, name);
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

function modelNotFound(model: string): BallastError {
  return new BallastError(ERROR_CODES.modelNotFound, `The model \`${model}\` does not exist or you do not have access to it (GET /v1/models lists yours)`, { status: 404, param: 'model' });
}

type ChatCompletionHttpRequest = { tenant: Tenant; headers: Record<string, string | string[] | undefined> } & TracedHttpRequest;

/** The model's own reason; a fallback answer after the output guardrail blocked the model's is `content_filter`. */
function finishReasonOf(outcome: LlmResponse): string {
  if (outcome.finishReason) return outcome.finishReason;
  return outcome.source === 'fallback' && outcome.status === 'blocked' ? 'content_filter' : 'stop';
}

function toChatCompletion(outcome: LlmResponse, requestedModel: string) {
  const usage = outcome.usage;
  return {
    id: outcome.requestId,
    object: 'chat.completion',
    created: Math.floor(Date.parse(outcome.completedAt) / 1000),
    model: outcome.model ?? requestedModel,
    choices: [{ index: 0, message: { role: 'assistant', content: outcome.content ?? '', refusal: null }, finish_reason: finishReasonOf(outcome), logprobs: null }],
    usage: {
      prompt_tokens: usage?.inputTokens ?? 0,
      completion_tokens: usage?.outputTokens ?? 0,
      total_tokens: (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0),
      prompt_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0 },
    },
    system_fingerprint: outcome.prompt ? `${outcome.prompt.name}@${outcome.prompt.version}` : null,
  };
}
