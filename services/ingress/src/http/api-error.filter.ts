import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BallastError, ERROR_CODES } from '#contracts';

const STATUS_BY_CODE: Record<string, number> = {
  [ERROR_CODES.invalidRequest]: 400,
  [ERROR_CODES.unauthorized]: 401,
  [ERROR_CODES.forbidden]: 403,
  [ERROR_CODES.promptNotFound]: 404,
  [ERROR_CODES.payloadTooLarge]: 413,
  [ERROR_CODES.promptRenderFailed]: 400,
  [ERROR_CODES.quotaExceeded]: 429,
  [ERROR_CODES.deadlineExceeded]: 504,
};

/** Every HTTP error as `{ error: { code, message, type } }` with a stable code, in the OpenAI shape. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status(n: number): { send(b: unknown): void } }>();
    const { status, code, message, details } = describeHttpError(exception);
    reply.status(status).send(errorBody(status, code, message, details));
  }
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
