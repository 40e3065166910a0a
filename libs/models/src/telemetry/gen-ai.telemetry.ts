import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_ID,
  GEN_AI_METRIC_OPERATION_DURATION,
  GEN_AI_METRIC_TIME_TO_FIRST_CHUNK,
  GEN_AI_METRIC_TOKEN_USAGE,
  GEN_AI_OPERATION_CHAT,
  GEN_AI_TOKEN_TYPE_INPUT,
  GEN_AI_TOKEN_TYPE_OUTPUT,
  ballastAttributes,
  captureContent,
  chatSpanName,
  counter,
  genAiAttributes,
  getTracer,
  histogram,
  labelDomain,
  prometheusName,
} from '#observability';
import type { ProviderRequest } from '../providers/provider.js';
import type { CallMeta, CallRecord, CallTelemetry } from '../resilience/model-caller.js';
import type { Route } from '../routing/model.router.js';

// Bucket boundaries the GenAI semantic conventions recommend for these histograms.
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

const L_OPERATION = prometheusName('gen_ai.operation.name');
const L_PROVIDER = prometheusName('gen_ai.provider.name');
const L_REQUEST_MODEL = prometheusName('gen_ai.request.model');
const L_RESPONSE_MODEL = prometheusName('gen_ai.response.model');
const L_TOKEN_TYPE = prometheusName('gen_ai.token.type');
const L_ERROR_TYPE = prometheusName('error.type');

// Model labels show only models configured or answered with (learned below); others are `other`.
const MODEL_BOUNDS = { [L_REQUEST_MODEL]: 'model', [L_RESPONSE_MODEL]: 'model', model: 'model', from_model: 'model', to_model: 'model' } as const;

function metrics() {
  return {
    tokens: histogram({
      name: prometheusName(GEN_AI_METRIC_TOKEN_USAGE),
      help: 'Tokens used per GenAI client call, by token type (gen_ai.client.token.usage)',
      labelNames: [L_OPERATION, L_PROVIDER, L_REQUEST_MODEL, L_RESPONSE_MODEL, L_TOKEN_TYPE],
      labelBounds: MODEL_BOUNDS,
      buckets: TOKEN_BUCKETS,
    }),
    duration: histogram({
      name: prometheusName(GEN_AI_METRIC_OPERATION_DURATION),
      help: 'GenAI client call duration in seconds (gen_ai.client.operation.duration)',
      labelNames: [L_OPERATION, L_PROVIDER, L_REQUEST_MODEL, L_RESPONSE_MODEL, L_ERROR_TYPE],
      labelBounds: MODEL_BOUNDS,
      buckets: SECONDS_BUCKETS,
    }),
    ttfc: histogram({
      name: prometheusName(GEN_AI_METRIC_TIME_TO_FIRST_CHUNK),
      help: 'Seconds from request to the first streamed chunk of output (gen_ai.client.operation.time_to_first_chunk)',
      labelNames: [L_OPERATION, L_PROVIDER, L_REQUEST_MODEL, L_RESPONSE_MODEL],
      labelBounds: MODEL_BOUNDS,
      buckets: SECONDS_BUCKETS,
    }),
    retries: counter({ name: 'ballast_inference_retries_total', help: 'Provider calls retried on the same model', labelNames: ['provider', 'model', 'error_type'], labelBounds: MODEL_BOUNDS }),
    fallbacks: counter({ name: 'ballast_inference_fallbacks_total', help: 'Moves to the next model of a fallback chain', labelNames: ['from_model', 'to_model'], labelBounds: MODEL_BOUNDS }),
    circuit: counter({ name: 'ballast_inference_circuit_transitions_total', help: 'Circuit breaker state changes per provider/model', labelNames: ['circuit', 'state'] }),
    unpriced: counter({ name: 'ballast_inference_unpriced_calls_total', help: 'Calls to a model the price table does not know (cost reported as null)', labelNames: ['model'], labelBounds: MODEL_BOUNDS }),
  };
}

/**
 * The `chat {model}` CLIENT span for every provider call, with the GenAI attributes, and the GenAI
 * client metrics. Message content goes on the span only when content capture is switched on.
 */
export class GenAiTelemetry implements CallTelemetry {
  readonly metrics = metrics();
  private readonly tracer;

  /** `stage`: who makes the calls (`inference`, or `judge` for the judge's own model calls). */
  constructor(private readonly stage: 'inference' | 'judge' = 'inference') {
    this.tracer = getTracer(`ballast-${stage}`);
  }

  start(route: Route, request: ProviderRequest, meta: CallMeta): { end(record: CallRecord): void } {
    const span = this.tracer.startSpan(chatSpanName(route.model), {
      kind: SpanKind.CLIENT,
      attributes: {
        ...genAiAttributes({
          provider: route.provider.system,
          requestModel: route.model,
          ...(meta.promptName ? { promptName: meta.promptName } : {}),
          ...(meta.promptVersion !== undefined ? { promptVersion: meta.promptVersion } : {}),
        }),
        [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: request.maxTokens,
        [ATTR_GEN_AI_REQUEST_TEMPERATURE]: request.temperature,
        ...(route.provider.server ? { [ATTR_SERVER_ADDRESS]: route.provider.server.address, [ATTR_SERVER_PORT]: route.provider.server.port } : {}),
        ...ballastAttributes({ requestId: meta.requestId, tenantId: meta.tenantId, stage: this.stage }),
        'ballast.provider': route.provider.name,
      },
    });
    captureContent(span, ATTR_GEN_AI_INPUT_MESSAGES, () => JSON.stringify(request.messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] }))));
    return {
      end: (record) => {
        const result = record.result;
        const error = record.error;
        const responseModel = result?.model;
        const attributes: Attributes = genAiAttributes({
          provider: route.provider.system,
          requestModel: route.model,
          ...(responseModel ? { responseModel } : {}),
          ...(result ? { inputTokens: result.inputTokens, outputTokens: result.outputTokens, finishReasons: [result.finishReason] } : {}),
          ...(record.ttftMs !== null ? { timeToFirstChunk: record.ttftMs / 1000 } : {}),
        });
        if (result?.responseId) attributes[ATTR_GEN_AI_RESPONSE_ID] = result.responseId;
        if (error) {
          attributes[ATTR_ERROR_TYPE] = error.errorType;
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        }
        span.setAttributes(attributes);
        if (result) {
          captureContent(span, ATTR_GEN_AI_OUTPUT_MESSAGES, () =>
            JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: result.content }], finish_reason: result.finishReason }]),
          );
        }
        span.end();
        this.record(route, record);
      },
    };
  }

  private record(route: Route, record: CallRecord): void {
    // A model a provider answered for is known from then on; a name that only failed stays `other`.
    if (record.result) labelDomain('model').learn(route.model, route.requested, record.result.model);
    const base = {
      [L_OPERATION]: GEN_AI_OPERATION_CHAT,
      [L_PROVIDER]: route.provider.system,
      [L_REQUEST_MODEL]: route.model,
      [L_RESPONSE_MODEL]: record.result?.model ?? '',
    };
    this.metrics.duration.observe({ ...base, [L_ERROR_TYPE]: record.error?.errorType ?? '' }, record.durationMs / 1000);
    if (record.ttftMs !== null) this.metrics.ttfc.observe(base, record.ttftMs / 1000);
    if (record.result) {
      this.metrics.tokens.observe({ ...base, [L_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_INPUT }, record.result.inputTokens);
      this.metrics.tokens.observe({ ...base, [L_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE_OUTPUT }, record.result.outputTokens);
    }
  }
}
