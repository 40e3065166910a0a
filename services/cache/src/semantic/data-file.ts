import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BallastError, ERROR_CODES } from '#contracts';

/**
 * Reads a JSON data file shipped in `services/cache/data/`. The build copies the folder to
 * `dist/services/cache/data/` (tsconfig.build.json), so the same relative path works from both.
 */
export function readCacheDataFile(name: string): unknown {
  const path = fileURLToPath(new URL(`../../data/${name}`, import.meta.url));
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  throw new BallastError(ERROR_CODES.internal, `the cache data file ${name} is missing: services/cache/data/${name} must ship with the cache service`);
}
