import {
  Bulkheads,
  CircuitBreakers,
  DEFAULT_CIRCUIT,
  DEFAULT_PROVIDER_RETRY,
  GenAiTelemetry,
  ModelCaller,
  ModelRouter,
  callUsage,
  systemClock,
  type CallRecord,
  type CircuitBreakerSettings,
  type Clock,
  type PriceTable,
  type Provider,
  type ProviderRetryPolicy,
  type RoutingRules,
} from '#models';
import type { JudgeAsk, JudgeCallUsage, JudgeModel, JudgeReply } from '#persistence';

export interface ProviderJudgeModelOptions {
  providers: Provider[];
  prices: PriceTable;
  routing?: RoutingRules;
  retry?: ProviderRetryPolicy;
  circuit?: CircuitBreakerSettings;
  bulkhead?: { maxConcurrent: number; maxQueued: number };
  clock?: Clock;
  maxTokens?: number;
}

/**
 * The judge model through the same code inference uses (`#models`): routing, fallback chains,
 * retries with backoff, a circuit breaker per provider/model, a bulkhead per provider, the deadline,
 * and a `chat {model}` span per call. Breakers and bulkheads are the judge's own, so a judge storm
 * never opens the request path's circuits.
 */
export class ProviderJudgeModel implements JudgeModel {
  private readonly caller: ModelCaller;
  private readonly router: ModelRouter;

  constructor(private readonly options: ProviderJudgeModelOptions) {
    const clock = options.clock ?? systemClock;
    this.router = new ModelRouter(options.providers, options.routing ?? {});
    this.caller = new ModelCaller({
      router: this.router,
      breakers: new CircuitBreakers(options.circuit ?? DEFAULT_CIRCUIT, clock),
      bulkheads: new Bulkheads(options.bulkhead ?? { maxConcurrent: 16, maxQueued: 1_024 }),
      retry: options.retry ?? DEFAULT_PROVIDER_RETRY,
      clock,
      telemetry: new GenAiTelemetry('judge'),
    });
  }

  /** Whether any provider serves the model (checked at start-up, so a typo fails fast). */
  serves(model: string): boolean {
    return this.router.route(model) !== null;
  }

  async ask(ask: JudgeAsk): Promise<JudgeReply> {
    const calls: JudgeCallUsage[] = [];
    const chain = this.router.chainFor({ rendered: { model: ask.model, messages: [], temperature: 0, maxTokens: 1 }, prompt: null });
    const outcome = await this.caller.call({
      chain,
      deadline: ask.deadline,
      meta: ask.meta,
      build: (route) => ({
        messages: ask.messages,
        temperature: ask.sample === 0 ? 0 : 0.7,
        maxTokens: this.options.maxTokens ?? 1_024,
        // Providers without a JSON Schema mode read the reply format from the rubric's prompt.
        ...(route.provider.structuredOutput === 'json_schema' ? { responseFormat: ask.format } : {}),
      }),
      onCall: (record) => calls.push(this.usage(record)),
    });
    return outcome.ok ? { ok: true, content: outcome.result.content, calls } : { ok: false, code: outcome.code, message: outcome.message, calls };
  }

  private usage(record: CallRecord): JudgeCallUsage {
    const usage = callUsage(record, this.options.prices);
    return {
      model: record.result?.model ?? record.route.model,
      provider: record.route.provider.name,
      ok: record.result !== undefined,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedTokens: usage.cachedTokens,
      costUsd: usage.costUsd,
      estimated: usage.estimated,
      latencyMs: record.durationMs,
      ttftMs: record.ttftMs,
      errorType: record.error?.errorType ?? null,
      priceTableVersion: this.options.prices.version,
    };
  }
}
