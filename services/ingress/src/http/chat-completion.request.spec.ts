import { BallastError, ERROR_CODES } from '#contracts';
import { chatMessagesOf, parseChatCompletionBody, requestIdOf, responseFormatOf } from './chat-completion.request.js';

const HELLO = { model: 'sim-1', messages: [{ role: 'user', content: 'hello' }] };

/** What `parseChatCompletionBody` threw: code, status and param. */
function refusal(body: unknown): { code: string; status: number | undefined; param: string | undefined } {
  try {
    parseChatCompletionBody(body);
  } catch (error) {
    if (error instanceof BallastError) return { code: error.code, status: error.options.status, param: error.options.param };
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('parseChatCompletionBody: every OpenAI field honoured or refused', () => {
  it.each([
    ['n', 2],
    ['tools', [{ type: 'function', function: { name: 'f' } }]],
    ['tool_choice', 'auto'],
    ['parallel_tool_calls', true],
    ['functions', [{ name: 'f' }]],
    ['function_call', 'auto'],
    ['stop', ['\n\n']],
    ['stop', 'END'],
    ['seed', 42],
    ['logprobs', true],
    ['top_logprobs', 3],
    ['logit_bias', { '50256': -100 }],
    ['top_p', 0.5],
    ['frequency_penalty', 0.5],
    ['presence_penalty', -1],
    ['modalities', ['text', 'audio']],
    ['audio', { voice: 'alloy', format: 'mp3' }],
    ['prediction', { type: 'content', content: 'x' }],
    ['reasoning_effort', 'high'],
    ['verbosity', 'low'],
    ['web_search_options', {}],
    ['store', true],
    ['service_tier', 'flex'],
  ])('refuses %s = %j with 400 ballast.unsupported_parameter naming it', (field, value) => {
    expect(refusal({ ...HELLO, [field]: value })).toEqual({ code: ERROR_CODES.unsupportedParameter, status: 400, param: field });
  });

  it('accepts the no-op value of each field it cannot honour, and the hints that do not change the answer', () => {
    const body = {
      ...HELLO,
      n: 1,
      tools: [],
      tool_choice: 'none',
      stop: null,
      seed: null,
      logprobs: false,
      top_logprobs: 0,
      logit_bias: {},
      top_p: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      modalities: ['text'],
      store: false,
      service_tier: 'auto',
      user: 'u-1',
      safety_identifier: 'hash-1',
      prompt_cache_key: 'k',
    };
    expect(parseChatCompletionBody(body).model).toBe('sim-1');
  });

  it('refuses a field OpenAI does not define, naming it', () => {
    expect(refusal({ ...HELLO, max_token: 5 })).toEqual({ code: ERROR_CODES.invalidRequest, status: 400, param: 'max_token' });
  });

  it('refuses tool turns, tool calls, refusals and non-text parts, naming the message', () => {
    expect(refusal({ model: 'sim-1', messages: [{ role: 'function', name: 'f', content: '1' }] }).param).toBe('messages.0.role');
    expect(refusal({ model: 'sim-1', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }] }).param).toBe('messages.1.tool_calls');
    expect(refusal({ model: 'sim-1', messages: [{ role: 'assistant', content: 'x', refusal: 'no' }] }).param).toBe('messages.0.refusal');
    const image = { model: 'sim-1', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] };
    expect(refusal(image)).toEqual({ code: ERROR_CODES.unsupportedParameter, status: 400, param: 'messages.0.content.1' });
  });

  it('accepts an assistant turn as the SDK returned it (refusal: null, no tool calls)', () => {
    const body = { model: 'sim-1', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello', refusal: null, tool_calls: [] }, { role: 'user', content: 'and?' }] };
    expect(chatMessagesOf(parseChatCompletionBody(body)).map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('names the first malformed field', () => {
    expect(refusal({ model: 'sim-1', messages: [{ role: 'user', content: 5 }] })).toMatchObject({ code: ERROR_CODES.invalidRequest, param: 'messages.0.content' });
    expect(refusal({ ...HELLO, temperature: 3 })).toMatchObject({ code: ERROR_CODES.invalidRequest, param: 'temperature' });
    expect(refusal([])).toMatchObject({ code: ERROR_CODES.invalidRequest, param: undefined });
  });

  it('refuses stream_options without stream, as OpenAI does', () => {
    expect(refusal({ ...HELLO, stream_options: { include_usage: true } })).toMatchObject({ code: ERROR_CODES.invalidRequest, param: 'stream_options' });
  });
});

describe('the pipeline request a chat completion becomes', () => {
  it('sends a developer message as system, joins text parts and keeps names', () => {
    const body = parseChatCompletionBody({ model: 'sim-1', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', name: 'ada', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] });
    expect(chatMessagesOf(body)).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'ab', name: 'ada' }]);
  });

  it('maps json_object to any JSON object and json_schema to the structured-output contract (strict defaults to false, as in OpenAI)', () => {
    expect(responseFormatOf(parseChatCompletionBody({ ...HELLO, response_format: { type: 'json_object' } }))).toEqual({ type: 'json_schema', name: 'json_object', schema: { type: 'object' }, strict: false });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(responseFormatOf(parseChatCompletionBody({ ...HELLO, response_format: { type: 'json_schema', json_schema: { name: 'thing', schema } } }))).toEqual({ type: 'json_schema', name: 'thing', schema, strict: false });
    expect(responseFormatOf(parseChatCompletionBody({ ...HELLO, response_format: { type: 'text' } }))).toBeUndefined();
    expect(refusal({ ...HELLO, response_format: { type: 'json_schema', json_schema: { name: 'thing' } } }).param).toBe('response_format.json_schema.schema');
  });
});

describe('requestIdOf', () => {
  it('takes Idempotency-Key first, then x-ballast-request-id, else makes one', () => {
    expect(requestIdOf({ 'idempotency-key': 'a-1', 'x-ballast-request-id': 'b-1' })).toBe('a-1');
    expect(requestIdOf({ 'x-ballast-request-id': 'b-1' })).toBe('b-1');
    expect(requestIdOf({})).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
  });

  it.each([['a'.repeat(201)], ['has space'], ['tab\there'], ['bell\u0007'], ['']])('refuses %j naming the header', (id) => {
    expect(() => requestIdOf({ 'idempotency-key': id })).toThrow(expect.objectContaining({ code: ERROR_CODES.invalidRequest, options: expect.objectContaining({ param: 'idempotency-key', status: 400 }) }) as Error);
  });
});
