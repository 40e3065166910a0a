import { Ajv, type ValidateFunction } from 'ajv';
import type { ResponseFormat } from '#contracts';

export type OutputValidation = { ok: true; parsed: unknown } | { ok: false; errors: string[] };

/** Validates structured output against the prompt's JSON Schema; compiled schemas are reused. */
export class JsonOutputValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  validate(content: string, format: ResponseFormat): OutputValidation {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      return { ok: false, errors: ['the output is not valid JSON'] };
    }
    const validate = this.compile(format.schema);
    if (validate(parsed)) return { ok: true, parsed };
    return { ok: false, errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`) };
  }

  private compile(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) this.compiled.set(key, (fn = this.ajv.compile(schema)));
    return fn;
  }
}
