/**
 * Stable error codes. Clients and dashboards key on these strings, so a code is never renamed;
 * new failure kinds get new codes.
 */
export const ERROR_CODES = {
  invalidRequest: 'ballast.invalid_request',
  malformedMessage: 'ballast.malformed_message',
  schemaInvalid: 'ballast.schema_invalid',
  unauthorized: 'ballast.unauthorized',
  forbidden: 'ballast.forbidden',
  payloadTooLarge: 'ballast.payload_too_large',
  /** A body that is not `application/json`. */
  unsupportedMediaType: 'ballast.unsupported_media_type',
  /** A parameter Ballast cannot honour on this route (`n` > 1, `tools`, `seed`, ...): refused, never dropped. */
  unsupportedParameter: 'ballast.unsupported_parameter',
  /** An ad-hoc model the tenant may not use, or a `prompt:<name>` with no such prompt. */
  modelNotFound: 'ballast.model_not_found',
  nestingTooDeep: 'ballast.nesting_too_deep',
  idempotencyConflict: 'ballast.idempotency_conflict',
  promptNotFound: 'ballast.prompt_not_found',
  promptRenderFailed: 'ballast.prompt_render_failed',
  deadlineExceeded: 'ballast.deadline_exceeded',
  guardrailBlocked: 'ballast.guardrail.blocked',
  outputInvalid: 'ballast.output_invalid',
  providerError: 'ballast.provider_error',
  providerUnavailable: 'ballast.provider_unavailable',
  quotaExceeded: 'ballast.quota_exceeded',
  /** A tenant's spending budget (USD per day or month) is used up: refused before any model call (429). */
  budgetExceeded: 'ballast.budget_exceeded',
  handlerFailed: 'ballast.handler_failed',
  registryConflict: 'ballast.registry_conflict',
  promotionRefused: 'ballast.promotion_refused',
  adminDisabled: 'ballast.admin_disabled',
  shuttingDown: 'ballast.shutting_down',
  /** The client stopped reading a stream; its model call was aborted (what it produced is still accounted). */
  cancelled: 'ballast.cancelled',
  /** A rubric file that does not load (YAML, fields, anchors, verdict schema). */
  rubricInvalid: 'ballast.judge.rubric_invalid',
  /** The judge model answered no valid verdict, even after a retry: recorded, never scored. */
  judgeInvalidVerdict: 'ballast.judge.invalid_verdict',
  /** The judge model could not be reached (provider errors, open circuit, timeout). */
  judgeUnavailable: 'ballast.judge.unavailable',
  internal: 'ballast.internal',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/**
 * An error that carries a stable code. `transient` errors are retried by the messaging layer with
 * backoff; everything else goes straight to the dead-letter topic.
 */
export class BallastError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { transient?: boolean; status?: number; cause?: unknown; details?: unknown; /** The request field at fault (OpenAI's `param`). */ param?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BallastError';
  }

  get transient(): boolean {
    return this.options.transient ?? false;
  }
}

/** A failure worth trying again (timeouts, connection resets, 429/5xx from a dependency). */
export class TransientError extends BallastError {
  constructor(message: string, cause?: unknown) {
    super(ERROR_CODES.handlerFailed, message, { transient: true, cause });
    this.name = 'TransientError';
  }
}
