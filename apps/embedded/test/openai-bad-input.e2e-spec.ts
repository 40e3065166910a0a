import { connect } from 'node:net';
import { jest } from '@jest/globals';
import { ERROR_CODES, TOPICS } from '#contracts';
import { startEmbedded, type Embedded } from '../src/embedded.js';

jest.setTimeout(60_000);

const API_KEY = 'test-key-openai-bad-input';
const PATH = '/v1/chat/completions';
const HELLO = { model: 'sim-1', messages: [{ role: 'user', content: 'hello' }] };

interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string };
}

/**
 * Bad input on the OpenAI route: each case a clear 4xx in OpenAI's error shape, and nothing stored —
 * no ledger row for its id and no message on any pipeline topic.
 */
describe('bad input on /v1/chat/completions (embedded): a 4xx in the OpenAI error shape, nothing stored or published', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts' });
  });
  afterAll(async () => {
    await ballast?.stop();
  });

  const PIPELINE_TOPICS = [TOPICS.requests, TOPICS.guardInput, TOPICS.cacheLookup, TOPICS.inference, TOPICS.guardOutput, TOPICS.responses, TOPICS.usage, TOPICS.dlq];
  const published = () => PIPELINE_TOPICS.reduce((n, topic) => n + ballast.broker.records(topic).length, 0);

  function post(body: string, headers: Record<string, string> = {}) {
    return fetch(`${ballast.url}${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', ...headers }, body });
  }

  /** Sends the request, checks the status and the OpenAI error shape, and that the bus carried nothing for it. */
  async function refused(send: () => Promise<{ status: number; body: string }>, status: number, code: string, param: string | null): Promise<OpenAiError['error']> {
    const before = published();
    const res = await send();
    const body = JSON.parse(res.body) as OpenAiError;
    expect({ status: res.status, keys: Object.keys(body.error).sort(), code: body.error.code, param: body.error.param, type: body.error.type }).toEqual({
      status,
      keys: ['code', 'message', 'param', 'type'],
      code,
      param,
      type: status === 404 ? 'not_found_error' : 'invalid_request_error',
    });
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(body.error.message).not.toContain('\n');
    expect(published()).toBe(before);
    return body.error;
  }
  const viaFetch = (body: string, headers: Record<string, string> = {}) => async () => {
    const res = await post(body, headers);
    return { status: res.status, body: await res.text() };
  };

  /** No ledger row: the id is unknown afterwards, and a valid request with it runs as a new one. */
  async function idStaysFree(requestId: string): Promise<void> {
    const lookup = await fetch(`${ballast.url}/v1/requests/${requestId}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(lookup.status).toBe(404);
    const retry = await post(JSON.stringify(HELLO), { 'idempotency-key': requestId });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-ballast-replay')).toBeNull();
  }

  it('invalid JSON: 400 ballast.invalid_request', async () => {
    const error = await refused(viaFetch('{"model": "sim-1", "messages": [', { 'idempotency-key': 'bad-json-1' }), 400, ERROR_CODES.invalidRequest, null);
    expect(error.message).toBe('the body is not valid JSON');
    await idStaysFree('bad-json-1');
  });

  it('wrong content type (text/plain, a form): 415 ballast.unsupported_media_type', async () => {
    const error = await refused(viaFetch(JSON.stringify(HELLO), { 'content-type': 'text/plain', 'idempotency-key': 'bad-type-1' }), 415, ERROR_CODES.unsupportedMediaType, null);
    expect(error.message).toContain('application/json');
    await refused(viaFetch('model=sim-1', { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'bad-type-1' }), 415, ERROR_CODES.unsupportedMediaType, null);
    await idStaysFree('bad-type-1');
  });

  it('a body over INGRESS_MAX_BODY_BYTES: 413 ballast.payload_too_large', async () => {
    const big = JSON.stringify({ model: 'sim-1', messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] });
    await refused(viaFetch(big, { 'idempotency-key': 'bad-size-1' }), 413, ERROR_CODES.payloadTooLarge, null);
    await idStaysFree('bad-size-1');
  });

  it('an unknown model, ad hoc or as prompt:<name>: 404 ballast.model_not_found on param "model"', async () => {
    const error = await refused(viaFetch(JSON.stringify({ ...HELLO, model: 'gpt-nope' }), { 'idempotency-key': 'bad-model-1' }), 404, ERROR_CODES.modelNotFound, 'model');
    expect(error.message).toContain('gpt-nope');
    await refused(viaFetch(JSON.stringify({ ...HELLO, model: 'prompt:no-such-prompt' }), { 'idempotency-key': 'bad-model-1' }), 404, ERROR_CODES.modelNotFound, 'model');
    await idStaysFree('bad-model-1');
  });

  it('a tool call to a model route that cannot call tools: 400 ballast.unsupported_parameter on "tools"', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const error = await refused(viaFetch(JSON.stringify({ ...HELLO, tools, tool_choice: 'auto' }), { 'idempotency-key': 'bad-tools-1' }), 400, ERROR_CODES.unsupportedParameter, 'tools');
    expect(error.message).toContain('tools');
    const toolTurn = { model: 'sim-1', messages: [{ role: 'user', content: 'weather?' }, { role: 'tool', tool_call_id: 'call_1', content: '20 C' }] };
    await refused(viaFetch(JSON.stringify(toolTurn), { 'idempotency-key': 'bad-tools-1' }), 400, ERROR_CODES.unsupportedParameter, 'messages.1.role');
    await idStaysFree('bad-tools-1');
  });

  it('n > 1: 400 ballast.unsupported_parameter on "n"', async () => {
    await refused(viaFetch(JSON.stringify({ ...HELLO, n: 2 }), { 'idempotency-key': 'bad-n-1' }), 400, ERROR_CODES.unsupportedParameter, 'n');
    await idStaysFree('bad-n-1');
  });

  it('a request id header over 200 characters: 400 on the header', async () => {
    const error = await refused(viaFetch(JSON.stringify(HELLO), { 'idempotency-key': 'a'.repeat(201) }), 400, ERROR_CODES.invalidRequest, 'idempotency-key');
    expect(error.message).toContain('200');
    expect(error.message).not.toContain('a'.repeat(50));
  });

  it('a request id header with control characters: 400, and the id is not echoed', async () => {
    // A tab is legal in an HTTP header, so the route refuses it, naming the header.
    const tab = await refused(() => rawPost(ballast.url, PATH, JSON.stringify(HELLO), { 'idempotency-key': 'order\t42' }), 400, ERROR_CODES.invalidRequest, 'idempotency-key');
    expect(tab.message).not.toContain('order');
    // Other control characters are refused by the HTTP parser before any route, in the same shape.
    for (const id of ['order\x0142', 'order\x7f42']) {
      const error = await refused(() => rawPost(ballast.url, PATH, JSON.stringify(HELLO), { 'idempotency-key': id }), 400, ERROR_CODES.invalidRequest, null);
      expect(error.message).toContain('control character');
      expect(error.message).not.toContain('order');
    }
  });

  it('an unknown field: 400 on that field, as OpenAI answers an unrecognized argument', async () => {
    await refused(viaFetch(JSON.stringify({ ...HELLO, temperatures: 0.5 })), 400, ERROR_CODES.invalidRequest, 'temperatures');
  });
});

describe('bad input on the native API (embedded): its own error shape, nothing stored or published', () => {
  let ballast: Embedded;

  beforeAll(async () => {
    ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts' });
  });
  afterAll(async () => {
    await ballast?.stop();
  });

  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${ballast.url}/v1/requests?wait=true`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': contentType }, body: JSON.stringify(body) });
  const request = (requestId: string, extra: Record<string, unknown> = {}) => ({ requestId, prompt: { name: 'support-answer' }, variables: { question: 'Where is my parcel?' }, ...extra });

  it.each([
    ['a wrong content type', 'native-bad-type', () => post(request('native-bad-type'), 'text/plain'), 415, ERROR_CODES.unsupportedMediaType, 'application/json'],
    ['a field the schema does not define', 'native-bad-field', () => post(request('native-bad-field', { temperature: 0.2 })), 400, ERROR_CODES.invalidRequest, 'temperature'],
    ['an option the schema does not define', 'native-bad-option', () => post(request('native-bad-option', { options: { maxToken: 5 } })), 400, ERROR_CODES.invalidRequest, 'options.maxToken'],
  ])('%s: a 4xx naming it, and the id stays free', async (_case, id, send, status, code, named) => {
    const before = ballast.broker.records(TOPICS.guardInput).length + ballast.broker.records(TOPICS.responses).length;
    const res = await send();
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect({ status: res.status, code: body.error['code'], keys: Object.keys(body.error).sort() }).toEqual({ status, code, keys: ['code', 'message', 'type'] });
    expect(body.error['message']).toContain(named);
    expect(ballast.broker.records(TOPICS.guardInput).length + ballast.broker.records(TOPICS.responses).length).toBe(before);
    const retry = await post(request(id));
    expect(((await retry.json()) as { status: string }).status).toBe('completed');
    expect(retry.headers.get('x-ballast-replay')).toBeNull();
  });
});

/** One HTTP/1.1 POST written byte for byte, so header values fetch would refuse to send still reach the server. */
function rawPost(base: string, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const head = [
      `POST ${path} HTTP/1.1`,
      `host: ${url.host}`,
      `authorization: Bearer ${API_KEY}`,
      'content-type: application/json',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ].join('\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [headPart, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart ?? '')?.[1] ?? 0);
      const chunked = /transfer-encoding: chunked/i.test(headPart ?? '');
      const raw = rest.join('\r\n\r\n');
      resolve({ status, body: chunked ? dechunk(raw) : raw });
    });
    socket.end(`${head}\r\n\r\n${body}`);
  });
}

function dechunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
