import { Ajv, type ValidateFunction } from 'ajv';
import type { ChatMessage, ResponseFormat } from '#contracts';
import type { StructuredOutputMode } from '../providers/provider.js';

export type StructuredCheck = { ok: true; json: string; parsed: unknown } | { ok: false; errors: string[] };

const MAX_ERRORS = 8;

/**
 * Structured output for every provider: the provider's JSON Schema mode when it has one, otherwise
 * instructions; the answer is then parsed and validated, and a failed answer is re-asked with the
 * validation errors.
 */
export class StructuredOutput {
  private readonly ajv = withFormats(new Ajv({ allErrors: true, strict: false, logger: false }));
  private readonly compiled = new Map<string, ValidateFunction>();

  /** The messages for a provider: unchanged in `json_schema` mode, else with the schema spelled out. */
  messagesFor(messages: ChatMessage[], format: ResponseFormat | undefined, mode: StructuredOutputMode): ChatMessage[] {
    if (!format || mode === 'json_schema') return messages;
    const instruction: ChatMessage = {
      role: 'system',
      content:
        `Reply with one JSON value and nothing else (no prose, no code fences). ` +
        `It must validate against this JSON Schema (${format.name}):\n${JSON.stringify(format.schema)}`,
    };
    const systems = messages.filter((m) => m.role === 'system').length;
    return [...messages.slice(0, systems), instruction, ...messages.slice(systems)];
  }

  /** Parses the answer (tolerating a code fence or text around one JSON value) and validates it. */
  check(content: string, format: ResponseFormat): StructuredCheck {
    const json = extractJson(content);
    if (json === null) return { ok: false, errors: ['the reply is not valid JSON'] };
    const validate = this.compile(format.schema);
    if (validate(json.parsed)) return { ok: true, json: json.text, parsed: json.parsed };
    return {
      ok: false,
      errors: (validate.errors ?? []).slice(0, MAX_ERRORS).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`),
    };
  }

  /** The conversation for a re-ask: the invalid answer and what was wrong with it. */
  reask(messages: ChatMessage[], invalid: string, errors: readonly string[]): ChatMessage[] {
    return [
      ...messages,
      { role: 'assistant', content: invalid },
      {
        role: 'user',
        content: `Your reply did not match the required JSON Schema:\n- ${errors.join('\n- ')}\nReply again with only the corrected JSON.`,
      },
    ];
  }

  private compile(schema: Record<string, unknown>): ValidateFunction {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(schema);
      if (this.compiled.size < 1_000) this.compiled.set(key, fn);
    }
    return fn;
  }
}

function extractJson(content: string): { text: string; parsed: unknown } | null {
  const candidates = [content.trim()];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = content.search(/[[{]/);
  const last = Math.max(content.lastIndexOf('}'), content.lastIndexOf(']'));
  if (first !== -1 && last > first) candidates.push(content.slice(first, last + 1));
  for (const text of candidates) {
    try {
      return { text, parsed: JSON.parse(text) };
    } catch {
      // try the next reading
    }
  }
  return null;
}

// The formats structured-output schemas use most; others are not checked (Ajv ignores unknown formats).
const FORMATS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/,
};

function withFormats(ajv: Ajv): Ajv {
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  return ajv;
}
