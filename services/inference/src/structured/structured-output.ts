import { JsonOutputValidator, type ChatMessage, type ResponseFormat } from '#contracts';
import { type StructuredOutputMode } from '#models';

export type StructuredCheck = { ok: true; json: string; parsed: unknown } | { ok: false; errors: string[] };

/**
 * Structured output for every provider: the provider's JSON Schema mode when it has one, otherwise
 * instructions; the answer is then parsed and validated, and a failed answer is re-asked with the
 * validation errors.
 */
export class StructuredOutput {
  private readonly validator = new JsonOutputValidator();

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
    const result = this.validator.validate(content, format);
    return result.ok ? { ok: true, json: result.content, parsed: result.parsed } : { ok: false, errors: result.errors };
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
}
