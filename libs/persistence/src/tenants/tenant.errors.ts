import { BallastError, ERROR_CODES } from '#contracts';

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export function checkTenantId(id: string): void {
  if (!TENANT_ID.test(id)) {
    throw new BallastError(ERROR_CODES.invalidRequest, `tenant id '${id}' must be lower-case letters, digits, _ and - (max 100)`, {
      status: 400,
    });
  }
}

export function unknownTenant(id: string): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, `tenant '${id}' does not exist: create it first`, { status: 404 });
}

export function keyTaken(): BallastError {
  return new BallastError(ERROR_CODES.invalidRequest, 'this API key is already registered to another tenant: generate a new one', {
    status: 409,
  });
}

export function checkQuotaRequest(requested: number, limit: number): void {
  if (!Number.isInteger(requested) || requested < 1 || !Number.isInteger(limit) || limit < 0) {
    throw new BallastError(ERROR_CODES.invalidRequest, `a quota lease needs a positive whole number requested (got ${requested}) and a whole limit of 0 or more (got ${limit})`, {
      status: 400,
    });
  }
}

export function checkBucketRequest(requested: number, capacity: number, refillPerSecond: number): void {
  if (!Number.isInteger(requested) || requested < 1 || !(capacity >= 0) || !(refillPerSecond >= 0) || !Number.isFinite(capacity) || !Number.isFinite(refillPerSecond)) {
    throw new BallastError(
      ERROR_CODES.invalidRequest,
      `a bucket take needs a positive whole number requested (got ${requested}) and a finite capacity and refill of 0 or more (got ${capacity}, ${refillPerSecond}/s)`,
      { status: 400 },
    );
  }
}

/** Names for allowed prompts: prompt names as the registry spells them. */
const PROMPT_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function checkAllowedPrompts(prompts: string[] | null | undefined): void {
  const bad = (prompts ?? []).find((p) => !PROMPT_NAME.test(p));
  if (bad !== undefined) {
    throw new BallastError(ERROR_CODES.invalidRequest, `allowed prompt '${bad.slice(0, 120)}' is not a prompt name (lower-case letters, digits, . _ -)`, { status: 400 });
  }
}
