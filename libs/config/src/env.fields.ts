import { z } from 'zod';

// Every helper takes the raw string and reports "expected …"; the loader appends the variable name and value.
function envField<T>(expected: string, parse: (raw: string) => T | undefined) {
  return z.string().transform((raw, ctx): T => {
    const value = parse(raw.trim());
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    return value;
  });
}

function integer(raw: string): number | undefined {
  return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
}

/** A TCP port, 0–65535 (0 lets the OS choose, which tests use). */
export function port() {
  return envField('a port number 0-65535', (raw) => {
    const value = integer(raw);
    return value !== undefined && value >= 0 && value <= 65_535 ? value : undefined;
  });
}

const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Kafka bootstrap servers: `host:port[,host:port…]` → `['host:port', …]`. */
export function brokers() {
  return envField('comma-separated host:port list', (raw) => {
    const list = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
    const valid = list.every((item) => {
      const match = HOST_PORT.exec(item);
      return match !== null && Number(match[2]) > 0 && Number(match[2]) <= 65_535;
    });
    return list.length > 0 && valid ? list : undefined;
  });
}

/** An absolute URL, optionally limited to some protocols (`['postgres:', 'postgresql:']`). */
export function url(options: { protocols?: readonly string[] } = {}) {
  const { protocols } = options;
  const expected = protocols ? `a ${protocols.join(' or ')} URL` : 'an absolute URL';
  return envField(expected, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const parsed = new URL(raw);
    return protocols === undefined || protocols.includes(parsed.protocol) ? raw : undefined;
  });
}

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false };

/** `true`/`false`/`1`/`0` (any case) → boolean. */
export function bool() {
  return envField('true, false, 1 or 0', (raw) => BOOLEANS[raw.toLowerCase()]);
}

/** An integer, optionally bounded. */
export function int(bounds: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  const expected =
    bounds.min !== undefined && bounds.max !== undefined
      ? `an integer from ${min} to ${max}`
      : bounds.min !== undefined
        ? `an integer >= ${min}`
        : bounds.max !== undefined
          ? `an integer <= ${max}`
          : 'an integer';
  return envField(expected, (raw) => {
    const value = integer(raw);
    return value !== undefined && value >= min && value <= max ? value : undefined;
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds: `250`, `250ms`, `30s`, `5m` or `1h` → number of ms. */
export function durationMs() {
  return envField('a duration such as 250ms, 30s, 5m, 1h or a number of milliseconds', (raw) => {
    const match = /^(\d+)(ms|s|m|h)?$/.exec(raw);
    return match ? Number(match[1]) * UNIT_MS[match[2] ?? 'ms']! : undefined;
  });
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return envField(`one of ${values.join(', ')}`, (raw) => values.find((value) => value === raw) as T[number] | undefined);
}
