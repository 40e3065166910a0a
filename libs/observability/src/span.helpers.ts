import { SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from './semconv.js';
import { contentCaptureEnabled } from './telemetry.js';

/** The tracer Ballast code uses; a no-op until `startTelemetry` has run. */
export function getTracer(name = 'ballast', version?: string): Tracer {
  return trace.getTracer(name, version);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent context, e.g. from `extractTraceContext`; defaults to the active one. */
  parent?: Context;
}

/**
 * Runs `fn` inside an active span that ends when `fn` settles; a throw marks the span as an error
 * (class name in `error.type`) and is rethrown.
 *
 * @example
 * await withSpan(processSpanName(topic), { kind: SpanKind.CONSUMER, parent }, (span) => handle(msg));
 */
export async function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const tracer = getTracer();
  const run = async (span: Span): Promise<T> => {
    try {
      return await fn(span);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      span.recordException(err);
      span.setAttribute(ATTR_ERROR_TYPE, err.name);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      throw error;
    } finally {
      span.end();
    }
  };
  const spanOptions = { kind: options.kind, attributes: options.attributes };
  return options.parent === undefined
    ? tracer.startActiveSpan(name, spanOptions, run)
    : tracer.startActiveSpan(name, spanOptions, options.parent, run);
}

/**
 * Sets a content attribute (prompt, completion) only when `BALLAST_CAPTURE_CONTENT=true`;
 * `value` is a function so nothing is serialised when capture is off.
 */
export function captureContent(span: Span, key: string, value: () => string): void {
  if (contentCaptureEnabled()) span.setAttribute(key, value());
}
