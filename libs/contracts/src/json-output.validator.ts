import { Ajv, type ValidateFunction } from 'ajv';
import type { ResponseFormat } from './chat.js';
import { withJsonFormats } from './json-formats.js';
import { MAX_JSON_DEPTH, depthOf } from './json-depth.js';

export type OutputValidation =
  | { ok: true; parsed: unknown; /** The JSON text that validated (after repair, if any). */ content: string; repaired: boolean }
  | { ok: false; errors: string[] };

const MAX_REPAIR_CHARS = 1_000_000;
const MAX_ERRORS = 10;
const FENCE = /```[ \t]*(?:json|JSON|json5|javascript|js)?[ \t]*\r?\n?([\s\S]*?)```/;

/**
 * Validates structured output against the prompt's JSON Schema; compiled schemas are reused.
 * With `repair`, a reply that is not JSON as it stands is tried again without code fences, without
 * prose around the first JSON value, and without trailing commas.
 */
export class JsonOutputValidator {
  private readonly ajv = withJsonFormats(new Ajv({ allErrors: true, strict: false, logger: false }));
  private readonly compiled = new Map<string, ValidateFunction | Error>();

  validate(content: string, format: ResponseFormat, options: { repair?: boolean } = {}): OutputValidation {
    const validate = this.compile(format.schema);
    if (validate instanceof Error) return { ok: false, errors: [`the response schema does not compile: ${validate.message}`] };
    const candidates = [content];
    if (options.repair !== false && content.length <= MAX_REPAIR_CHARS) candidates.push(...repairCandidates(content));
    let firstErrors: string[] | null = null;
    for (const [i, candidate] of candidates.entries()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(candidate);
      } catch {
        continue;
      }
      if (depthOf(parsed) > MAX_JSON_DEPTH) {
        firstErrors ??= [`the output nests deeper than ${MAX_JSON_DEPTH} levels`];
        continue;
      }
      let valid: boolean;
      try {
        valid = validate(parsed) as boolean;
      } catch {
        // A pathological value (nesting deeper than the validator's stack) is not a valid answer.
        firstErrors ??= ['the output is nested too deeply to validate'];
        continue;
      }
      if (valid) return { ok: true, parsed, content: candidate, repaired: i > 0 };
      firstErrors ??= (validate.errors ?? []).slice(0, MAX_ERRORS).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
    }
    return { ok: false, errors: firstErrors ?? ['the output is not valid JSON'] };
  }

  private compile(schema: Record<string, unknown>): ValidateFunction | Error {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      try {
        fn = this.ajv.compile(schema);
      } catch (error) {
        fn = error as Error;
      }
      if (this.compiled.size >= 1_000) this.compiled.delete(this.compiled.keys().next().value!);
      this.compiled.set(key, fn);
    }
    return fn;
  }
}

/** Texts to try after the reply itself failed to parse, most faithful first. */
export function repairCandidates(content: string): string[] {
  const out: string[] = [];
  const add = (text: string | null | undefined) => {
    const t = text?.trim();
    if (t && !out.includes(t) && t !== content) out.push(t);
  };
  const trimmed = content.replace(/^\uFEFF/, '').trim();
  add(trimmed);
  const fenced = FENCE.exec(trimmed)?.[1];
  add(fenced);
  for (const base of [fenced, trimmed]) {
    if (!base) continue;
    const value = firstJsonValue(base);
    add(value);
    if (value) add(withoutTrailingCommas(value));
  }
  return out;
}

/** The first balanced `{…}` or `[…]` in `text`, skipping brackets inside strings. */
export function firstJsonValue(text: string): string | null {
  // A step budget keeps a reply full of unbalanced brackets from costing quadratic time.
  let budget = 2_000_000;
  for (let start = 0; start < text.length && budget > 0; start++) {
    const open = text[start];
    if (open !== '{' && open !== '[') continue;
    const stack: string[] = [];
    let inString = false;
    for (let i = start; i < text.length && --budget > 0; i++) {
      const c = text[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
      else if (c === '}' || c === ']') {
        if (stack.pop() !== c) break;
        if (stack.length === 0) return text.slice(start, i + 1);
      }
    }
  }
  return null;
}

/** Removes commas before a closing bracket, outside strings (`{"a": 1,}` → `{"a": 1}`). */
export function withoutTrailingCommas(json: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < json.length) out += json[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < json.length && /\s/.test(json[j]!)) j++;
      if (json[j] === '}' || json[j] === ']') continue;
    }
    out += c;
  }
  return out;
}
