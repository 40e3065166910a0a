import { Inject, Injectable } from '@nestjs/common';
import {
  ERROR_CODES,
  TOPICS,
  createEnvelope,
  endWith,
  type ChatMessage,
  type Completion,
  type Envelope,
  type ErrorInfo,
  type PipelineState,
  type UsageEvent,
} from '#contracts';
import { runPipelineStep, type MessageContext, type StepResult } from '#messaging';
import {
  Bulkheads,
  CircuitBreakers,
  DEFAULT_CIRCUIT,
  DEFAULT_PROVIDER_RETRY,
  GenAiTelemetry,
  ModelCaller,
  ModelRouter,
  PRICE_TABLE,
  callUsage,
  systemClock,
  type CallRecord,
  type CallUsage,
  type Clock,
  type PriceTable,
} from '#models';
import { createLogger, labelDomain, type Logger } from '#observability';
import { INFERENCE_DEPS, type InferenceDeps } from '../inference.tokens.js';
import { StructuredOutput } from '../structured/structured-output.js';
import { ModelStream } from '../stream/model-stream.js';
import { StreamCalls } from '../stream/stream-calls.js';
import { LEDGER_STAGE, ledgerKey } from './ledger-key.js';
import { isFailure, totalUsage, usageEvent, type LedgerEntry } from './usage.accounting.js';

const DEFAULT_BULKHEAD = { maxConcurrent: 256, maxQueued: 1_024 };

/**
 * Calls the model for a cache miss, at most once per request: through the fallback chain with
 * retries, circuit breakers and bulkheads, re-asking when structured output fails its schema. Every
 * provider call publishes one `usage` event; the request ends completed or failed with a clear
 * code, never with a truncated answer.
 */
@Injectable()
export class CompleteUseCase {
  private readonly router: ModelRouter;
  private readonly caller: ModelCaller;
  private readonly structured = new StructuredOutput();
  private readonly telemetry: GenAiTelemetry | undefined;
  private readonly clock: Clock;
  private readonly prices: PriceTable;
  private readonly unpricedSeen = new Set<string>();
  private logger: Logger | undefined;

  constructor(
    @Inject(INFERENCE_DEPS) private readonly deps: InferenceDeps,
    private readonly streams: StreamCalls = new StreamCalls(),
  ) {
    this.clock = deps.clock ?? systemClock;
    this.prices = deps.prices ?? PRICE_TABLE;
    labelDomain('model').learn(...Object.keys(this.prices.models).filter((m) => !m.includes('*')));
    this.router = new ModelRouter(deps.providers, deps.routing);
    const telemetry = deps.telemetry ?? (this.telemetry = new GenAiTelemetry());
    const metrics = this.telemetry?.metrics;
    this.caller = new ModelCaller({
      router: this.router,
      breakers: new CircuitBreakers(deps.circuit ?? DEFAULT_CIRCUIT, this.clock, metrics && ((key, state) => metrics.circuit.inc({ circuit: key, state }))),
      bulkheads: new Bulkheads(deps.bulkhead ?? DEFAULT_BULKHEAD),
      retry: deps.retry ?? DEFAULT_PROVIDER_RETRY,
      clock: this.clock,
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.idleTimeoutMs ? { idleTimeoutMs: deps.idleTimeoutMs } : {}),
      ...(deps.attemptTimeoutMs ? { attemptTimeoutMs: deps.attemptTimeoutMs } : {}),
      telemetry,
      ...(metrics
        ? {
            onRetry: (route, error) => metrics.retries.inc({ provider: route.provider.name, model: route.model, error_type: error.errorType }),
            onFallback: (from, to) => metrics.fallbacks.inc({ from_model: from, to_model: to }),
          }
        : {}),
    });
  }

  /** `message` is the delivery being handled; its heartbeat keeps the consumer in its group during long calls. */
  execute(envelope: Envelope<PipelineState>, message?: Pick<MessageContext, 'heartbeat'>): Promise<void> {
    return runPipelineStep(envelope, { stage: 'inference', publisher: this.deps.publisher }, async (state) => {
      if (state.outcome) return { next: 'respond', state };
      const key = ledgerKey(state);
      const done = await this.deps.ledger.find(LEDGER_STAGE, key);
      if (done) return replay(state, done.outcome);
      const usage = new UsagePublisher(this.deps, envelope);
      const stream = ModelStream.for(this.deps.publisher, envelope, state);
      const cancel = state.request.options.stream ? this.streams.register(state.request.tenantId, state.request.requestId) : null;
      try {
        const entry = await this.withHeartbeat(message, () => this.generate(envelope, state, usage, message, stream, cancel?.signal));
        const { record } = await this.deps.ledger.record(LEDGER_STAGE, key, entry);
        await usage.flushed();
        // The stream's last chunk is on the bus before the answer goes to the whole-answer check.
        await stream?.end(record.outcome as LedgerEntry);
        return replay(state, record.outcome);
      } finally {
        cancel?.release();
      }
    });
  }

  private async generate(
    envelope: Envelope<PipelineState>,
    state: PipelineState,
    usage: UsagePublisher,
    message: Pick<MessageContext, 'heartbeat'> | undefined,
    stream: ModelStream | null = null,
    signal?: AbortSignal,
  ): Promise<LedgerEntry> {
    const { rendered } = state;
    const format = rendered.responseFormat;
    const budget = envelope.deadline ? Date.parse(envelope.deadline) - Date.now() : this.deps.defaultTimeoutMs;
    const deadline = this.clock.now() + Math.min(budget, this.deps.defaultTimeoutMs);
    const meta = {
      requestId: state.request.requestId,
      tenantId: state.request.tenantId,
      ...(state.prompt ? { promptName: state.prompt.name, promptVersion: state.prompt.version } : {}),
    };
    const spent: CallUsage[] = [];
    let last: CallRecord | undefined;
    let chain = this.router.chainFor(state);
    let conversation: ChatMessage[] = rendered.messages;
    const maxReasks = this.deps.maxReasks ?? 2;
    await stream?.open();
    for (let reask = 0; ; reask++) {
      const messages = conversation;
      const outcome = await this.caller.call({
        chain,
        deadline,
        meta,
        build: (route) => ({
          messages: this.structured.messagesFor(messages, format, route.provider.structuredOutput),
          temperature: rendered.temperature,
          maxTokens: rendered.maxTokens,
          ...(format && route.provider.structuredOutput !== 'instruct' ? { responseFormat: format } : {}),
          ...(stream ? { onDelta: stream.delta } : {}),
        }),
        ...(signal ? { signal } : {}),
        onCall: (record) => {
          last = record;
          stream?.called(record);
          const cost = this.account(record);
          spent.push(cost);
          usage.publish(usageEvent(state, record, spent.length, cost, this.prices));
        },
        ...(message ? { heartbeat: () => void message.heartbeat().catch(() => undefined) } : {}),
      });
      if (!outcome.ok) return { failed: { code: outcome.code, message: outcome.message } };
      const { result, route } = outcome;
      const completion = (content: string, parsed?: unknown): Completion => ({
        content,
        ...(parsed === undefined ? {} : { parsed }),
        model: result.model,
        provider: route.provider.name,
        finishReason: result.finishReason,
        usage: totalUsage(spent, this.prices),
        ttftMs: result.ttftMs,
        durationMs: last?.durationMs ?? 0,
      });
      if (!format) return completion(result.content);
      const check = this.structured.check(result.content, format);
      if (check.ok) return completion(check.json, check.parsed);
      if (reask >= maxReasks) {
        return {
          failed: {
            code: ERROR_CODES.outputInvalid,
            message: `the model's answer did not match the response schema "${format.name}" after ${reask} re-ask${reask === 1 ? '' : 's'}: ${check.errors.join('; ')}`,
          },
        };
      }
      conversation = this.structured.reask(conversation, result.content, check.errors);
      chain = [route.requested, ...chain.filter((m) => m !== route.requested)];
    }
  }

  private account(record: CallRecord): CallUsage {
    const cost = callUsage(record, this.prices);
    if (cost.costUsd === null) this.flagUnpriced(record.result?.model ?? record.route.model);
    return cost;
  }

  private flagUnpriced(model: string): void {
    this.telemetry?.metrics.unpriced.inc({ model });
    if (this.unpricedSeen.has(model) || this.unpricedSeen.size > 1_000) return;
    this.unpricedSeen.add(model);
    this.logger ??= this.deps.logger ?? createLogger({ service: 'inference' });
    this.logger.warn({ model, priceTable: this.prices.version }, 'model has no price: its calls are reported with costUsd null (add it to INFERENCE_PRICES)');
  }

  private async withHeartbeat<T>(message: Pick<MessageContext, 'heartbeat'> | undefined, work: () => Promise<T>): Promise<T> {
    if (!message) return work();
    const beat = () => void message.heartbeat().catch(() => undefined);
    const timer = setInterval(beat, this.deps.heartbeatMs ?? 3_000);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }
}

function replay(state: PipelineState, stored: unknown): StepResult {
  if (isFailure(stored)) return { next: 'respond', state: endWith(state, 'failed', stored.failed as ErrorInfo) };
  return { next: TOPICS.guardOutput, state: { ...state, completion: stored as Completion } };
}

/** Publishes usage events as calls finish, without holding up the next call; `flushed` waits for all of them. */
class UsagePublisher {
  private readonly pending: Promise<void>[] = [];
  private failure: unknown;

  constructor(
    private readonly deps: InferenceDeps,
    private readonly from: Envelope<PipelineState>,
  ) {}

  publish(event: UsageEvent): void {
    this.pending.push(
      this.deps.publisher.publish(TOPICS.usage, createEnvelope(TOPICS.usage, event, this.from)).catch((error: unknown) => {
        this.failure ??= error;
      }),
    );
  }

  async flushed(): Promise<void> {
    await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }
}
