import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BallastError, ERROR_CODES } from '#contracts';

// From src (services/cache/src/semantic) and from the build (dist/services/cache/src/semantic).
const CANDIDATES = ['../../data/', '../../../../../services/cache/data/'];

/** Reads a JSON data file shipped in `services/cache/data/`, from the sources or the build. */
export function readCacheDataFile(name: string): unknown {
  for (const dir of CANDIDATES) {
    const path = fileURLToPath(new URL(`${dir}${name}`, import.meta.url));
    if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  }
  throw new BallastError(ERROR_CODES.internal, `the cache data file ${name} is missing: services/cache/data/${name} must ship with the cache service`);
}
