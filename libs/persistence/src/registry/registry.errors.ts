import { BallastError, ERROR_CODES } from '#contracts';

export function promptNotFound(name: string): BallastError {
  return new BallastError(ERROR_CODES.promptNotFound, `prompt '${name}' is not registered: publish it first`, {
    status: 404,
    details: { name },
  });
}

export function versionNotFound(name: string, version: number): BallastError {
  return new BallastError(
    ERROR_CODES.promptNotFound,
    `prompt '${name}' has no version ${version}: publish it or pick an existing version`,
    { status: 404, details: { name, version } },
  );
}

export function invalidSelector(): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, 'give a label or a version, not both', { status: 400 });
}

export function labelNotFound(name: string, label: string): BallastError {
  return new BallastError(ERROR_CODES.promptNotFound, `prompt '${name}' has no label '${label}': promote a version to it first`, {
    status: 404,
    details: { name, label },
  });
}

/** A label change that does not fit the label's current state; the message says what to do instead. */
export function registryConflict(message: string, details?: unknown): BallastError {
  return new BallastError(ERROR_CODES.registryConflict, message, { status: 409, details });
}
