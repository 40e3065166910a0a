/**
 * A value that conforms to a JSON Schema (the common keywords: type, properties, required, items,
 * enum, const, format, minimum, minItems), derived deterministically from `seed`.
 */
export function sampleFromSchema(schema: unknown, seed: string, depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 8) return null;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][seed.length % s['enum'].length];
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[k];
    if (Array.isArray(options) && options.length > 0) return sampleFromSchema(options[0], seed, depth + 1);
  }
  const type = Array.isArray(s['type']) ? s['type'].find((t) => t !== 'null') : s['type'];
  switch (type) {
    case 'object': {
      const props = (s['properties'] ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(props)) out[name] = sampleFromSchema(sub, `${seed}.${name}`, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof s['minItems'] === 'number' ? s['minItems'] : 1;
      return Array.from({ length: Math.max(1, min) }, (_, i) => sampleFromSchema(s['items'], `${seed}[${i}]`, depth + 1));
    }
    case 'integer':
    case 'number': {
      const min = typeof s['minimum'] === 'number' ? s['minimum'] : 0;
      return type === 'integer' ? Math.ceil(min) + (seed.length % 7) : min + (seed.length % 7) / 2;
    }
    case 'boolean':
      return seed.length % 2 === 0;
    case 'null':
      return null;
    default:
      return sampleString(s, seed);
  }
}

function sampleString(s: Record<string, unknown>, seed: string): string {
  const tail = seed.replace(/[^a-z0-9]/gi, '').slice(-12).toLowerCase() || 'value';
  switch (s['format']) {
    case 'email':
      return `${tail}@example.com`;
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'date':
      return '2026-01-01';
    case 'uri':
      return `https://example.com/${tail}`;
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    default: {
      const min = typeof s['minLength'] === 'number' ? s['minLength'] : 1;
      return tail.padEnd(min, 'x');
    }
  }
}
