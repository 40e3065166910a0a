import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { BallastError, ERROR_CODES, type ChatMessage, type ResponseFormat } from '#contracts';
import { issuesOf } from './request-body.js';

/**
 * The OpenAI chat-completions request fields Ballast passes on (`model`, `messages`, `temperature`,
 * `max_tokens`, `response_format`, `metadata`, ...). Every other field OpenAI defines is in
 * `REFUSED_UNLESS` or `ACCEPTED_WITHOUT_EFFECT`; a field in none of them is refused as OpenAI refuses
 * an unrecognized argument. docs/openai.md lists each field and what Ballast does with it.
 */
const TextPart = z.object({ type: z.literal('text'), text: z.string() });

const ChatCompletionMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(TextPart)]),
  name: z.string().max(64).optional(),
});

const ResponseFormatParam = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const ChatCompletionBody = z.object({
  model: z.string().min(1).max(200),
  messages: z.array(ChatCompletionMessage).min(1).max(500),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  n: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  response_format: ResponseFormatParam.nullish(),
  metadata: z.record(z.string(), z.string().max(512)).nullish(),
});
export type ChatCompletionBody = z.infer<typeof ChatCompletionBody>;

const isNullish = (v: unknown) => v === null || v === undefined;
const isEmpty = (v: unknown) => isNullish(v) || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** Fields Ballast cannot honour: accepted only at their no-op value, otherwise a 400 saying why. */
const REFUSED_UNLESS: Record<string, { ok: (v: unknown) => boolean; why: string }> = {
  tools: { ok: isEmpty, why: 'no model route behind Ballast can call tools yet; send the request without "tools"' },
  tool_choice: { ok: (v) => isNullish(v) || v === 'none', why: 'no model route behind Ballast can call tools yet; send "tool_choice" only as "none"' },
  parallel_tool_calls: { ok: isNullish, why: 'no model route behind Ballast can call tools yet' },
  functions: { ok: isEmpty, why: 'no model route behind Ballast can call functions yet' },
  function_call: { ok: (v) => isNullish(v) || v === 'none', why: 'no model route behind Ballast can call functions yet' },
  stop: { ok: isEmpty, why: 'stop sequences are not passed to the model yet; cut the answer yourself, or use max_tokens' },
  seed: { ok: isNullish, why: 'seeds are not passed to the model yet (the simulator is deterministic without one)' },
  logprobs: { ok: (v) => isNullish(v) || v === false, why: 'log probabilities are not returned' },
  top_logprobs: { ok: (v) => isNullish(v) || v === 0, why: 'log probabilities are not returned' },
  logit_bias: { ok: isEmpty, why: 'logit_bias is not passed to the model' },
  top_p: { ok: (v) => isNullish(v) || v === 1, why: 'top_p is not passed to the model; use temperature' },
  frequency_penalty: { ok: (v) => isNullish(v) || v === 0, why: 'frequency_penalty is not passed to the model' },
  presence_penalty: { ok: (v) => isNullish(v) || v === 0, why: 'presence_penalty is not passed to the model' },
  modalities: { ok: (v) => isNullish(v) || (Array.isArray(v) && v.every((m) => m === 'text')), why: 'only text output is supported' },
  audio: { ok: isNullish, why: 'audio output is not supported' },
  prediction: { ok: isNullish, why: 'predicted outputs are not supported' },
  reasoning_effort: { ok: isNullish, why: 'reasoning controls are not passed to the model' },
  verbosity: { ok: isNullish, why: 'verbosity is not passed to the model' },
  web_search_options: { ok: isNullish, why: 'web search is not supported' },
  store: { ok: (v) => isNullish(v) || v === false, why: 'Ballast keeps outcomes in its own ledger (GET /v1/requests/<id>), not as OpenAI stored completions' },
  service_tier: { ok: (v) => isNullish(v) || v === 'auto' || v === 'default', why: 'Ballast picks no service tier' },
};

/** Hints to OpenAI's own service that do not change the answer: accepted, and not forwarded to any provider. */
const ACCEPTED_WITHOUT_EFFECT = ['user', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention'];

const KNOWN = new Set([...Object.keys(ChatCompletionBody.shape), ...Object.keys(REFUSED_UNLESS), ...ACCEPTED_WITHOUT_EFFECT]);

const unsupported = (param: string, message: string) => new BallastError(ERROR_CODES.unsupportedParameter, message, { status: 400, param });
const invalid = (param: string | undefined, message: string, details?: unknown) =>
  new BallastError(ERROR_CODES.invalidRequest, message, { status: 400, ...(param ? { param } : {}), ...(details ? { details } : {}) });

/**
 * Validates an OpenAI chat-completions body: every field is honoured or refused with a 400 naming it
 * (`param`), never dropped. Checked before anything is stored or published.
 */
export function parseChatCompletionBody(body: unknown): ChatCompletionBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid(undefined, 'the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN.has(key)) throw invalid(key, `Unrecognized request argument supplied: ${key}`);
  }
  for (const [key, rule] of Object.entries(REFUSED_UNLESS)) {
    if (key in fields && !rule.ok(fields[key])) throw unsupported(key, `"${key}" is not supported: ${rule.why}`);
  }
  refuseUnsupportedMessages(fields['messages']);
  const parsed = ChatCompletionBody.safeParse(body);
  if (!parsed.success) {
    const first = issuesOf(parsed.error)[0]!;
    throw invalid(first.path === '(root)' ? undefined : first.path, `the body is not a chat completion request: ${first.path}: ${first.message}`, issuesOf(parsed.error));
  }
  const b = parsed.data;
  if ((b.n ?? 1) > 1) throw unsupported('n', '"n" greater than 1 is not supported: each request gets one answer; send n requests');
  if (b.stream_options && b.stream !== true) throw invalid('stream_options', '"stream_options" is only allowed when "stream" is true');
  if (b.response_format?.type === 'json_schema' && !b.response_format.json_schema.schema) {
    throw invalid('response_format.json_schema.schema', 'a json_schema response format needs its "schema"');
  }
  return b;
}

/** Tool turns, tool calls and non-text parts would reach the model changed or not at all: refused, naming the message. */
function refuseUnsupportedMessages(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((m: unknown, i) => {
    if (m === null || typeof m !== 'object') return;
    const message = m as Record<string, unknown>;
    if (message['role'] === 'tool' || message['role'] === 'function') {
      throw unsupported(`messages.${i}.role`, `messages[${i}] has role "${message['role']}": no model route behind Ballast can call tools yet`);
    }
    if (!isEmpty(message['tool_calls']) || !isNullish(message['function_call'])) {
      throw unsupported(`messages.${i}.tool_calls`, `messages[${i}] carries tool calls: no model route behind Ballast can call tools yet`);
    }
    if (!isNullish(message['audio'])) throw unsupported(`messages.${i}.audio`, `messages[${i}] carries audio: only text is supported`);
    if (!isNullish(message['refusal']) && message['role'] === 'assistant') {
      throw unsupported(`messages.${i}.refusal`, `messages[${i}] carries a refusal: send the assistant turn as "content"`);
    }
    const content = message['content'];
    if (Array.isArray(content)) {
      const part = content.findIndex((p: unknown) => (p as { type?: unknown } | null)?.type !== 'text');
      if (part >= 0) {
        const type = String((content[part] as { type?: unknown } | null)?.type ?? 'unknown');
        throw unsupported(`messages.${i}.content.${part}`, `messages[${i}].content[${part}] is of type "${type}": only text parts are supported`);
      }
    }
  });
}

/** The client's messages as the pipeline carries them: a developer message is a system message, text parts are joined. */
export function chatMessagesOf(body: ChatCompletionBody): ChatMessage[] {
  return body.messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
    ...(m.name ? { name: m.name } : {}),
  }));
}

/** `response_format` as the pipeline's structured-output contract: `json_object` is any JSON object. */
export function responseFormatOf(body: ChatCompletionBody): ResponseFormat | undefined {
  const format = body.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_schema', name: 'json_object', schema: { type: 'object' }, strict: false };
  return { type: 'json_schema', name: format.json_schema.name, schema: format.json_schema.schema!, strict: format.json_schema.strict ?? false };
}

/** The header names a client may send its idempotency key in, first wins. */
export const REQUEST_ID_HEADERS = ['idempotency-key', 'x-ballast-request-id'] as const;
const REQUEST_ID = /^[A-Za-z0-9._:@/-]{1,200}$/;

/** The request id from `Idempotency-Key` (or `x-ballast-request-id`), checked before it is used; a fresh one without either. */
export function requestIdOf(headers: Record<string, string | string[] | undefined>): string {
  for (const name of REQUEST_ID_HEADERS) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (value.length > 200) throw invalid(name, `the ${name} header is ${value.length} characters long; use at most 200`);
    if (!REQUEST_ID.test(value)) throw invalid(name, `the ${name} header may hold only letters, digits and . _ : @ / - (no spaces or control characters)`);
    return value;
  }
  return `chatcmpl-${randomUUID()}`;
}
