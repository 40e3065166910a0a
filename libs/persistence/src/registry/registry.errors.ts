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
