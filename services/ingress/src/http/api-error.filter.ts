import { Catch, HttpException, Inject, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { activeTraceIds, createLogger, type Logger } from '#observability';
import type { TracedHttpRequest } from './request-span.js';

/** Optional provider of the logger unexpected errors go to (default: the ingress pino logger); tests pass one with a captured stream. */
export const API_ERROR_LOGGER = Symbol('API_ERROR_LOGGER');

// W3C traceparent: version-traceid-parentid-flags.
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

const STATUS_BY_CODE: Record<string, number> = {
  [ERROR_CODES.invalidRequest]: 400,
  [ERROR_CODES.unauthorized]: 401,
  [ERROR_CODES.forbidden]: 403,
  [ERROR_CODES.promptNotFound]: 404,
  [ERROR_CODES.payloadTooLarge]: 413,
  [ERROR_CODES.nestingTooDeep]: 400,
  [ERROR_CODES.idempotencyConflict]: 409,
  [ERROR_CODES.promptRenderFailed]: 400,
  [ERROR_CODES.quotaExceeded]: 429,
  [ERROR_CODES.deadlineExceeded]: 504,
};

type FilteredRequest = Partial<TracedHttpRequest> & { method?: string; url?: string; tenant?: { id: string } };

/**
 * Every HTTP error as `{ error: { code, message, type } }` with a stable code, in the OpenAI shape.
 * An unexpected error is also logged, once, with the request and trace ids (never the body).
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private logger: Logger | undefined;

  constructor(@Optional() @Inject(API_ERROR_LOGGER) logger?: Logger) {
    this.logger = logger;
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<{ status(n: number): { send(b: unknown): void } }>();
    const { status, code, message, details } = describeHttpError(exception);
    if (unexpected(exception, status)) this.logUnexpected(exception, http.getRequest<FilteredRequest | undefined>());
    reply.status(status).send(errorBody(status, code, message, details));
  }

  private logUnexpected(exception: unknown, req: FilteredRequest | undefined): void {
    this.logger ??= createLogger({ service: 'ingress' });
    const header = (name: string): string | undefined => {
      const value = req?.headers?.[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const requestId = req?.ballast?.requestId ?? header('idempotency-key') ?? header('x-ballast-request-id');
    const traceId = req?.ballast?.traceId ?? activeTraceIds()?.traceId ?? TRACEPARENT.exec(header('traceparent') ?? '')?.[1];
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      {
        ...(requestId ? { requestId } : {}),
        ...(traceId ? { traceId } : {}),
        ...(req?.tenant ? { tenantId: req.tenant.id } : {}),
        http: { method: req?.method, path: req?.url?.split('?')[0] },
        // The stack frames without the message line: a message may quote input.
        err: { type: error.name, stack: error.stack?.split('\n').slice(1, 11).join('\n') },
      },
      `unexpected error while serving ${req?.method ?? 'HTTP'} ${req?.url?.split('?')[0] ?? ''}: answered 500 ${ERROR_CODES.internal}`,
    );
  }
}

/** Anything the error model does not foresee: not a BallastError or client error, or a BallastError marked internal. */
function unexpected(exception: unknown, status: number): boolean {
  if (exception instanceof BallastError) return exception.code === ERROR_CODES.internal;
  return status >= 500;
}

/** The error body every HTTP error has. */
export function errorBody(status: number, code: string, message: string, details?: unknown) {
  return { error: { code, message, type: status >= 500 ? 'server_error' : 'invalid_request_error', ...(details ? { details } : {}) } };
}

/** The status and stable code for anything thrown while serving HTTP. */
export function describeHttpError(exception: unknown): { status: number; code: string; message: string; details?: unknown } {
  if (exception instanceof BallastError) {
    return { status: exception.options.status ?? STATUS_BY_CODE[exception.code] ?? 500, code: exception.code, message: exception.message, details: exception.options.details };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = status === 413 ? ERROR_CODES.payloadTooLarge : status === 404 ? 'ballast.not_found' : status < 500 ? ERROR_CODES.invalidRequest : ERROR_CODES.internal;
    return { status, code, message: exception.message };
  }
  const e = exception as { statusCode?: number; code?: string; message?: string };
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: ERROR_CODES.payloadTooLarge, message: 'the request body is larger than the limit' };
  if (typeof e?.statusCode === 'number' && e.statusCode < 500) return { status: e.statusCode, code: ERROR_CODES.invalidRequest, message: e.message ?? 'bad request' };
  return { status: 500, code: ERROR_CODES.internal, message: 'internal error' };
}
