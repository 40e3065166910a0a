import { Inject, Injectable } from '@nestjs/common';
import {
  BallastError,
  ERROR_CODES,
  MAX_JSON_DEPTH,
  TOPICS,
  createEnvelope,
  endWith,
  depthOf,
  type ChatMessage,
  type LlmRequest,
  type LlmResponse,
  type PipelineState,
  type RenderedRequest,
  type ResolvedPrompt,
} from '#contracts';
import { publishOutcome } from '#messaging';
import { renderMessages, type Tenant } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../ingress.tokens.js';
import { checkPromptAllowed } from '../limits/tenant-access.js';
import { TenantRateLimiter } from '../limits/tenant-rate.limiter.js';
import { RequestLedger, requestHash } from '../outcomes/request.ledger.js';
import { PromptResolver } from '../prompts/prompt.resolver.js';

export type Submission =
  | { kind: 'accepted'; state: PipelineState }
  | { kind: 'duplicate'; outcome: LlmResponse | null }
  | { kind: 'rejected'; error: BallastError };

/**
 * A look-up the request needs (tenant, prompt) failed, for example the database connection was not
 * free in time: the request still ends, with this error as its one outcome, instead of being
 * dead-lettered with no answer. The cause's text stays out (it may quote the query).
 */
function lookupFailed(cause: unknown): BallastError {
  const kind = cause instanceof Error ? cause.name : typeof cause;
  return new BallastError(ERROR_CODES.internal, `a look-up this request needs (tenant or prompt) failed (${kind}); send it again`, {
    status: 503,
    cause,
  });
}

/**
 * Accepts a request from HTTP or from `ballast.requests.v1`: resolves and renders the prompt,
 * claims the request id, stamps the deadline and hands it to the input guardrail. The id is claimed
 * only once the request is ready to publish, and released if publishing fails, so an error never
 * leaves an id taken with no outcome coming. A failed look-up ends the request with an error
 * outcome, like any rejection.
 */
@Injectable()
export class SubmitRequestUseCase {
  constructor(
    @Inject(INGRESS_DEPS) private readonly deps: IngressDeps,
    private readonly ledger: RequestLedger,
    private readonly prompts: PromptResolver,
    private readonly limiter: TenantRateLimiter,
  ) {}

  /** @throws BallastError `ballast.idempotency_conflict` (409) when the id was first used for a different request */
  async execute(request: LlmRequest, tenant: Tenant | null, receivedAt = new Date()): Promise<Submission> {
    if (depthOf(request) > MAX_JSON_DEPTH) {
      throw new BallastError(ERROR_CODES.nestingTooDeep, `the request nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep; flatten it`, { status: 400 });
    }
    const timeoutMs = Math.min(request.timeoutMs ?? this.deps.limits.defaultTimeoutMs, this.deps.limits.maxTimeoutMs);
    const deadline = new Date(receivedAt.getTime() + timeoutMs).toISOString();
    const ctx = { requestId: request.requestId, tenantId: request.tenantId, deadline };
    let prepared: { state: PipelineState } | { error: BallastError };
    try {
      prepared = { state: await this.prepare(request, tenant, receivedAt) };
    } catch (error) {
      prepared = { error: error instanceof BallastError ? error : lookupFailed(error) };
    }

    const claim = await this.ledger.claim(request.tenantId, request.requestId, requestHash(request));
    if (!claim.first) {
      if (claim.conflict) {
        throw new BallastError(
          ERROR_CODES.idempotencyConflict,
          `request id "${request.requestId}" was already used for a different request; send a new id, or repeat the first request unchanged to get its outcome`,
          { status: 409 },
        );
      }
      return { kind: 'duplicate', outcome: claim.outcome };
    }
    try {
      if ('error' in prepared) {
        // Backends on Kafka get the rejection as an outcome, like any other.
        const failed = endWith(this.bareState(request, receivedAt), 'failed', { code: prepared.error.code, message: prepared.error.message });
        await publishOutcome(this.deps.publisher, createEnvelope(TOPICS.guardInput, failed, ctx), failed);
        return { kind: 'rejected', error: prepared.error };
      }
      await this.deps.publisher.publish(TOPICS.guardInput, createEnvelope(TOPICS.guardInput, prepared.state, ctx, receivedAt));
      return { kind: 'accepted', state: prepared.state };
    } catch (error) {
      await this.ledger.release(request.tenantId, request.requestId);
      throw error;
    }
  }

  private async prepare(request: LlmRequest, tenant: Tenant | null, receivedAt: Date): Promise<PipelineState> {
    // HTTP requests were authenticated and counted by the TenantGuard; Kafka ones name their tenant,
    // which must exist, and are counted here; the tenant's model allow-list applies to both.
    if (!tenant) {
      tenant = await this.limiter.tenantById(request.tenantId);
      if (!tenant) throw new BallastError(ERROR_CODES.forbidden, `tenant "${request.tenantId}" does not exist`, { status: 403 });
      await this.limiter.enforceTenantId(request.tenantId);
    }
    if (request.prompt) {
      checkPromptAllowed(tenant, request.prompt.name);
      const resolved = await this.prompts.resolve(request.prompt, request.requestId);
      if (!resolved) {
        const which = request.prompt.version ? `version ${request.prompt.version}` : `label "${request.prompt.label ?? 'production'}"`;
        throw new BallastError(ERROR_CODES.promptNotFound, `prompt "${request.prompt.name}" has no ${which}`, { status: 404 });
      }
      const messages = [...renderMessages(resolved.version.template, request.variables), ...request.messages];
      const responseFormat = request.responseFormat ?? resolved.version.responseFormat ?? undefined;
      return this.state(request, receivedAt, resolved.prompt, {
        model: resolved.version.model,
        messages,
        temperature: request.options.temperature ?? resolved.version.params.temperature,
        maxTokens: request.options.maxTokens ?? resolved.version.params.maxTokens,
        ...(responseFormat ? { responseFormat } : {}),
      });
    }
    const model = request.model!;
    if (!tenant.allowedModels.includes(model)) {
      throw new BallastError(ERROR_CODES.forbidden, `model "${model}" is not allowed for tenant "${tenant.id}"`, { status: 403 });
    }
    return this.state(request, receivedAt, null, {
      model,
      messages: request.messages,
      temperature: request.options.temperature ?? 0,
      maxTokens: request.options.maxTokens ?? this.deps.limits.defaultMaxTokens,
      ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
    });
  }

  private state(request: LlmRequest, receivedAt: Date, prompt: ResolvedPrompt | null, rendered: RenderedRequest): PipelineState {
    return { request, receivedAt: receivedAt.toISOString(), prompt, rendered, verdicts: [], timings: [] };
  }

  private bareState(request: LlmRequest, receivedAt: Date): PipelineState {
    const messages: ChatMessage[] = request.messages;
    return this.state(request, receivedAt, null, {
      model: request.model ?? 'none',
      messages,
      temperature: 0,
      maxTokens: this.deps.limits.defaultMaxTokens,
    });
  }
}
