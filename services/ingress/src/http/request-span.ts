import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BallastError } from '#contracts';
import { extractTraceContext, withLogContext } from '#observability';

const tracer = trace.getTracer('ballast-ingress');

/** What the error filter reads back to log an unexpected error with its request and trace. */
export interface RequestIds {
  requestId: string;
  traceId?: string;
}

export interface TracedHttpRequest {
  headers: Record<string, string | string[] | undefined>;
  ballast?: RequestIds;
}

/**
 * Runs the handling of one HTTP request inside a SERVER span (a child of the client's
 * `traceparent`, if any) and its log context, so the pipeline's spans and log lines share its
 * trace, and keeps the ids on `req` for the error filter.
 */
export async function withRequestSpan<T>(req: TracedHttpRequest, route: string, ids: { requestId: string; tenantId: string }, fn: () => Promise<T>): Promise<T> {
  const parent = extractTraceContext(req.headers);
  const span = tracer.startSpan(
    `POST ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': route, 'ballast.request_id': ids.requestId, 'ballast.tenant_id': ids.tenantId, 'ballast.stage': 'ingress' },
    },
    parent,
  );
  const spanContext = span.spanContext();
  // Without a tracer provider the span is a no-op with an all-zero id, which names no trace.
  req.ballast = { requestId: ids.requestId, ...(trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId } : {}) };
  try {
    return await context.with(trace.setSpan(parent, span), () => withLogContext({ ...ids, stage: 'ingress' }, fn));
  } catch (error) {
    const type = error instanceof BallastError ? error.code : error instanceof Error ? error.name : 'UnknownError';
    span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    span.setAttribute('error.type', type);
    throw error;
  } finally {
    span.end();
  }
}
