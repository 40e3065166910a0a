import { randomBytes } from 'node:crypto';
import { BallastError, type ErrorCode } from '#contracts';

/** A name no other test (or earlier run against the same database) uses. */
export function uniqueName(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

export async function expectBallastError(promise: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<BallastError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BallastError);
  expect((error as BallastError).code).toBe(code);
  if (message) expect((error as BallastError).message).toMatch(message);
  return error as BallastError;
}
