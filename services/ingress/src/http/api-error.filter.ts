import { Catch, HttpException, Inject, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';
import { activeTraceIds, createLogger, type Logger } from '#observability';
import type { TracedHttpRequest } from './request-span.js';

/** Optional provider of the logger unexpected errors go to (default: the ingress pino logger); tests pass one with a captured stream. */
export const API_ERROR_LOGGER = Symbol('API_ERROR_LOGGER');

const LOGGABLE_ID = /^[A-Za-z0-9._:@/-]{1,200}$/;

// W3C traceparent: version-traceid-parentid-flags.
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

const STATUS_BY_CODE: Record<string, number> = {
  [ERROR_CODES.invalidRequest]: 400,
  [ERROR_CODES.unauthorized]: 401,
  [ERROR_CODES.forbidden]: 403,
  [ERROR_CODES.promptNotFound]: 404,
  [ERROR_CODES.payloadTooLarge]: 413,
  [ERROR_CODES.unsupportedMediaType]: 415,
  [ERROR_CODES.unsupportedParameter]: 400,
  [ERROR_CODES.modelNotFound]: 404,
  [ERROR_CODES.nestingTooDeep]: 400,
  [ERROR_CODES.idempotencyConflict]: 409,
  [ERROR_CODES.promptRenderFailed]: 400,
  [ERROR_CODES.quotaExceeded]: 429,
  [ERROR_CODES.deadlineExceeded]: 504,
};

type FilteredRequest = Partial<TracedHttpRequest> & { method?: string; url?: string; tenant?: { id: string } };

/** The routes OpenAI SDKs call: their errors are in OpenAI's shape. */
const OPENAI_PATHS = ['/v1/chat/completions', '/v1/models'];

/**
 * Every HTTP error with a stable code: `{ error: { message, type, param, code } }` (OpenAI's shape) on
 * the OpenAI routes, `{ error: { code, message, type, details? } }` on the native and admin API.
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
    const req = http.getRequest<FilteredRequest | undefined>();
    const { status, code, message, details, param } = describeHttpError(exception);
    if (unexpected(exception, status)) this.logUnexpected(exception, req);
    const path = req?.url?.split('?')[0] ?? '';
    reply.status(status).send(OPENAI_PATHS.includes(path) ? openAiErrorBody(status, code, message, param) : errorBody(status, code, message, details));
  }

  private logUnexpected(exception: unknown, req: FilteredRequest | undefined): void {
    this.logger ??= createLogger({ service: 'ingress' });
    const header = (name: string): string | undefined => {
      const value = req?.headers?.[name];
      return Array.isArray(value) ? value[0] : value;
    };
    // A header id is logged only when it is a valid id: a client's header never writes control characters into the log.
    const headerId = [header('idempotency-key'), header('x-ballast-request-id')].find((v) => v !== undefined && LOGGABLE_ID.test(v));
    const requestId = req?.ballast?.requestId ?? headerId;
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

/**
 * The error body OpenAI's SDKs read: `type` as OpenAI names it, `param` the request field at fault
 * (null when none), `code` Ballast's stable code.
 */
export function openAiErrorBody(status: number, code: string, message: string, param?: string) {
  return { error: { message, type: openAiErrorType(status), param: param ?? null, code } };
}

function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The status and stable code for anything thrown while serving HTTP. */
export function describeHttpError(exception: unknown): { status: number; code: string; message: string; details?: unknown; param?: string } {
  if (exception instanceof BallastError) {
    return {
      status: exception.options.status ?? STATUS_BY_CODE[exception.code] ?? 500,
      code: exception.code,
      message: exception.message,
      details: exception.options.details,
      ...(exception.options.param ? { param: exception.options.param } : {}),
    };
  }
  // Fastify's body-parser errors reach the filter as an HttpException whose cause is the FastifyError.
  const fastify = fastifyError(exception instanceof HttpException ? exception.cause : exception);
  if (fastify) return fastify;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = status === 413 ? ERROR_CODES.payloadTooLarge : status === 404 ? 'ballast.not_found' : status < 500 ? ERROR_CODES.invalidRequest : ERROR_CODES.internal;
    return { status, code, message: exception.message };
  }
  const e = exception as { statusCode?: number; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode < 500) return { status: e.statusCode, code: ERROR_CODES.invalidRequest, message: e.message ?? 'bad request' };
  return { status: 500, code: ERROR_CODES.internal, message: 'internal error' };
}

function fastifyError(error: unknown): { status: number; code: string; message: string } | undefined {
  switch ((error as { code?: unknown } | undefined)?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: ERROR_CODES.payloadTooLarge, message: 'the request body is larger than the limit (INGRESS_MAX_BODY_BYTES)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: ERROR_CODES.unsupportedMediaType, message: 'send the body as JSON with "Content-Type: application/json"' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: ERROR_CODES.invalidRequest, message: 'the body is not valid JSON' };
    default:
      return undefined;
  }
}
