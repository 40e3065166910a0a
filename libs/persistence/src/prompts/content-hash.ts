import { createHash } from 'node:crypto';
import type { PromptDefinition } from './prompt-definition.schema.js';

/**
 * JSON with object keys sorted at every level, so jsonb's key reordering never changes a hash.
 * Keys whose value is `undefined` are left out, as `JSON.stringify` does. Built in one string
 * without intermediate arrays: it runs on every request (the idempotency hash).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
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
