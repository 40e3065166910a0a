import { createHash } from 'node:crypto';
import { BallastError, ERROR_CODES } from '#contracts';

export const MIN_API_KEY_LENGTH = 7;
const PREFIX_LENGTH = 6;

/** sha256 hex of a key: what is stored and what a lookup compares. */
export function apiKeyHash(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** The first characters shown to people to tell keys apart; at most a quarter of a short key. */
export function apiKeyPrefix(plaintext: string): string {
  return plaintext.slice(0, Math.min(PREFIX_LENGTH, Math.floor(plaintext.length / 4)));
}

export function checkApiKey(plaintext: string): void {
  if (plaintext.length < MIN_API_KEY_LENGTH) {
    throw new BallastError(
      ERROR_CODES.invalidRequest,
      `an API key needs at least ${MIN_API_KEY_LENGTH} characters; use a random one (e.g. 'bk_' + 32 hex digits)`,
      { status: 400 },
    );
  }
}
