import { context, propagation, trace, type Context, type TextMapGetter } from '@opentelemetry/api';

/** Message headers as Kafka clients hand them over: strings, Buffers, or repeated values. */
export type HeaderCarrier = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

const headerGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const raw = carrier[key];
    const first = Array.isArray(raw) ? raw[0] : raw;
    return first === undefined ? undefined : first.toString();
  },
};

/**
 * Writes the W3C `traceparent`/`tracestate` of `ctx` (the active context by default) into
 * `headers` and returns them, ready to go on an outgoing message.
 */
export function injectTraceHeaders(
  headers: Record<string, string> = {},
  ctx: Context = context.active(),
): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads W3C trace headers from an incoming message into a context to start the `process` span in. */
export function extractTraceContext(headers: HeaderCarrier, base: Context = context.active()): Context {
  return propagation.extract(base, headers, headerGetter);
}

/** Trace and span ids of the active span, or `undefined` outside any span. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
