import { z } from 'zod';
import { AcceptedLlmRequest, BallastError, ERROR_CODES, LlmRequest, MAX_JSON_DEPTH, RequestOptions, depthOf } from '#contracts';

/** Where each issue is and what is wrong, without echoing the values. */
export function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 20).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

/** Refuses a body nested deeper than `MAX_JSON_DEPTH` before any recursive code walks it. */
export function checkNesting(body: unknown): void {
  if (depthOf(body) > MAX_JSON_DEPTH) {
    throw new BallastError(
      ERROR_CODES.nestingTooDeep,
      `the body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep (look at "variables" and the response schema); flatten it`,
      { status: 400 },
    );
  }
}

/** Parses a native request body for `tenantId`; the body may omit the tenant or must name the same one. */
export function parseRequestBody(body: unknown, tenantId: string, headers: Record<string, string | string[] | undefined>): LlmRequest {
  checkJsonContentType(headers);
  checkNesting(body);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BallastError(ERROR_CODES.invalidRequest, 'the body must be a JSON object', { status: 400 });
  }
  const given = (body as Record<string, unknown>)['tenantId'];
  if (given !== undefined && given !== tenantId) {
    throw new BallastError(ERROR_CODES.forbidden, 'the API key belongs to another tenant than "tenantId"', { status: 403 });
  }
  refuseUnknownFields(body as Record<string, unknown>);
  const parsed = LlmRequest.safeParse({ ...body, tenantId });
  if (!parsed.success) {
    throw new BallastError(ERROR_CODES.invalidRequest, 'the request does not match the LlmRequest schema', { status: 400, details: issuesOf(parsed.error) });
  }
  return parsed.data;
}

/** Refuses a body sent as anything but JSON (the parsers also read text/plain, which would reach the schema as a string). */
export function checkJsonContentType(headers: Record<string, string | string[] | undefined>): void {
  const raw = headers['content-type'];
  const type = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new BallastError(ERROR_CODES.unsupportedMediaType, `send the body as JSON with "Content-Type: application/json"${type ? ` (got "${type}")` : ''}`, { status: 415 });
  }
}

const REQUEST_FIELDS = new Set(Object.keys(AcceptedLlmRequest.shape));
const OPTION_FIELDS = new Set(Object.keys(RequestOptions.shape));

/** A field the schema does not define would be dropped without a word (`temperature` beside `options`, a typo): refused, naming it. */
function refuseUnknownFields(body: Record<string, unknown>): void {
  const unknown = Object.keys(body).find((k) => !REQUEST_FIELDS.has(k));
  const options = body['options'];
  const unknownOption = options !== null && typeof options === 'object' && !Array.isArray(options) ? Object.keys(options).find((k) => !OPTION_FIELDS.has(k)) : undefined;
  const field = unknown ?? (unknownOption === undefined ? undefined : `options.${unknownOption}`);
  if (field !== undefined) {
    throw new BallastError(ERROR_CODES.invalidRequest, `unknown field "${field}": the LlmRequest fields are ${[...REQUEST_FIELDS].join(', ')}; options takes ${[...OPTION_FIELDS].join(', ')}`, {
      status: 400,
      param: field,
    });
  }
}
