import { createHash } from 'node:crypto';
import type { PromptDefinition } from './prompt-definition.schema.js';

/** JSON with object keys sorted at every level, so jsonb's key reordering never changes a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 (hex) over everything that changes a model's answer; the name is not part of it. */
export function promptContentHash(def: PromptDefinition): string {
  const content = {
    template: def.template,
    model: def.model,
    params: def.params,
    responseFormat: def.responseFormat,
    policies: def.policies,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
