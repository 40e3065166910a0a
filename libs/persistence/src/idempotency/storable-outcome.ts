import { BallastError, ERROR_CODES } from '#contracts';

// In JSON.stringify output: a `\u0000` escape or a lone surrogate escape, i.e. `\u` after an odd number of backslashes.
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Whether JSON text (as JSON.stringify writes it) holds a NUL or an unpaired surrogate, which jsonb refuses. */
export function hasUnstorableJsonEscape(json: string): boolean {
  return json.includes('\\u') && UNSTORABLE_ESCAPE.test(json);
}

/**
 * Rejects a key Postgres would refuse. Checked per call because the store batches calls, and one
 * refused value would otherwise fail every call sent with it.
 */
export function checkStorableKey(stage: string, requestId: string): void {
  if (stage.includes('\0') || requestId.includes('\0')) {
    throw new BallastError(
      ERROR_CODES.internal,
      `stage and request id cannot contain a NUL character (Postgres cannot store it): got ${JSON.stringify(stage)}, ${JSON.stringify(requestId)}`,
      { details: { stage, requestId } },
    );
  }
}

/** The outcome as the JSON text Postgres stores (null for none); rejects what Postgres would refuse, as `checkStorableKey`. */
export function storableOutcomeJson(stage: string, requestId: string, outcome: unknown): string | null {
  checkStorableKey(stage, requestId);
  const json = outcome === null || outcome === undefined ? undefined : JSON.stringify(outcome);
  if (json === undefined) return null;
  if (hasUnstorableJsonEscape(json)) {
    throw new BallastError(
      ERROR_CODES.internal,
      `the outcome for ${stage}/${requestId} has a NUL character or an unpaired UTF-16 surrogate, which Postgres cannot store in jsonb; remove it before recording`,
      { details: { stage, requestId } },
    );
  }
  return json;
}
