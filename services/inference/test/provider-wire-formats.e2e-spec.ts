import OpenAI from 'openai';
import { AnthropicProvider, OpenAiCompatibleProvider, ProviderCallError, type ProviderRequest } from '#models';
import { JSON_BODY, SSE, fixture, startFixtureServer, type FixtureServer } from './support/fixture-server.js';

// Recorded responses in the providers' documented wire formats (test/fixtures), served over real HTTP.
describe('provider adapters read the official wire formats exactly', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  const request = (over: Partial<ProviderRequest> = {}): ProviderRequest => ({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Can I change the delivery address?' },
    ],
    temperature: 0,
    maxTokens: 256,
    signal: AbortSignal.timeout(5_000),
    ...over,
  });

  describe('OpenAI chat completions', () => {
    const openai = () => new OpenAiCompatibleProvider({ name: 'openai', baseUrl: `${server.url}/v1`, apiKey: 'sk-test', models: ['*'] });

    it.each([1, 7, 64, 100_000])('assembles a streamed answer and its usage chunk (written %i bytes at a time)', async (chunkSize) => {
      server.respond({ headers: SSE, body: fixture('openai-chat.stream.sse'), chunkSize });
      const result = await openai().complete(request());
      expect(result).toMatchObject({
        content: 'You can change the delivery address until the parcel has been dispatched.',
        model: 'gpt-4o-mini-2024-07-18',
        finishReason: 'stop',
        inputTokens: 31,
        outputTokens: 13,
        cachedTokens: 0,
        estimated: false,
        responseId: 'chatcmpl-CXk3a9mBq1rTn0sPzL7vW2yH5eUfD',
      });
      expect(result.ttftMs).not.toBeNull();
    });

    it('sends a streaming request with the usage option, the key and the JSON Schema', async () => {
      server.respond({ headers: SSE, body: fixture('openai-chat.stream.sse') });
      const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
      await openai().complete(request({ responseFormat: { type: 'json_schema', name: 'contact', schema, strict: true } }));
      const sent = server.requests.at(-1)!;
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe('Bearer sk-test');
      expect(sent.body).toMatchObject({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 256,
        response_format: { type: 'json_schema', json_schema: { name: 'contact', schema, strict: true } },
      });
    });

    it('reads a non-streamed chat.completion with cached prompt tokens', async () => {
      server.respond({ headers: JSON_BODY, body: fixture('openai-chat.json') });
      const result = await openai().complete(request({ model: 'gpt-4o' }));
      expect(result).toMatchObject({
        content: '{"name":"Ada Lovelace","email":"ada@example.com"}',
        model: 'gpt-4o-2024-08-06',
        finishReason: 'stop',
        inputTokens: 2006,
        outputTokens: 18,
        cachedTokens: 1920,
        estimated: false,
        ttftMs: null,
      });
    });

    it('fails a stream that stops without a finish reason and [DONE], keeping the partial output', async () => {
      server.respond({ headers: SSE, body: fixture('openai-chat.cut.sse') });
      const error = (await openai().complete(request()).catch((e: unknown) => e)) as ProviderCallError;
      expect(error).toBeInstanceOf(ProviderCallError);
      expect(error.kind).toBe('truncated');
      expect(error.retryable).toBe(true);
      expect(error.partial?.content).toBe('You can change the delivery');
      expect(error.partial?.outputTokens).toBeGreaterThan(0);
    });

    it("reads a 429 error body's code and the retry-after-ms header", async () => {
      server.respond({ status: 429, headers: { ...JSON_BODY, 'retry-after-ms': '120', 'retry-after': '1' }, body: fixture('openai-error.429.json') });
      const error = (await openai().complete(request()).catch((e: unknown) => e)) as ProviderCallError;
      expect(error).toMatchObject({ kind: 'http', status: 429, retryAfterMs: 120, providerCode: 'rate_limit_exceeded' });
      expect(error.retryable).toBe(true);
      expect(error.message).not.toContain('organization');
    });

    it('agrees with the official openai SDK on the same bytes', async () => {
      server.respond({ headers: SSE, body: fixture('openai-chat.stream.sse') });
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
      let sdkContent = '';
      let sdkUsage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        sdkContent += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) sdkUsage = chunk.usage;
      }
      server.respond({ headers: SSE, body: fixture('openai-chat.stream.sse') });
      const ours = await openai().complete(request());
      expect(ours.content).toBe(sdkContent);
      expect([ours.inputTokens, ours.outputTokens]).toEqual([sdkUsage!.prompt_tokens, sdkUsage!.completion_tokens]);
    });
  });

  describe('Anthropic Messages', () => {
    const anthropic = () => new AnthropicProvider({ name: 'anthropic', baseUrl: server.url, apiKey: 'sk-ant-test' });

    it.each([1, 13, 100_000])('assembles a streamed message with ping events and cache reads (written %i bytes at a time)', async (chunkSize) => {
      server.respond({ headers: SSE, body: fixture('anthropic-messages.stream.sse'), chunkSize });
      const result = await anthropic().complete(request({ model: 'claude-sonnet-4-5' }));
      expect(result).toMatchObject({
        content: 'Parcels can be redirected until they leave the warehouse; after that, contact the carrier.',
        model: 'claude-sonnet-4-5-20250929',
        finishReason: 'end_turn',
        inputTokens: 12 + 1843,
        outputTokens: 27,
        cachedTokens: 1843,
        cacheWriteTokens: 0,
        estimated: false,
        responseId: 'msg_01XFDUDYJgAACzvnptvVoYEL',
      });
    });

    it('sends the system prompt apart, the version header and the key', async () => {
      server.respond({ headers: SSE, body: fixture('anthropic-messages.stream.sse') });
      await anthropic().complete(request({ model: 'claude-sonnet-4-5', temperature: 1.5 }));
      const sent = server.requests.at(-1)!;
      expect(sent.path).toBe('/v1/messages');
      expect(sent.headers['x-api-key']).toBe('sk-ant-test');
      expect(sent.headers['anthropic-version']).toBe('2023-06-01');
      expect(sent.body).toMatchObject({
        model: 'claude-sonnet-4-5',
        system: 'You are a support agent.',
        messages: [{ role: 'user', content: 'Can I change the delivery address?' }],
        max_tokens: 256,
        temperature: 1,
        stream: true,
      });
    });

    it('reads a non-streamed message with a cache write', async () => {
      server.respond({ headers: JSON_BODY, body: fixture('anthropic-messages.json') });
      const result = await anthropic().complete(request({ model: 'claude-haiku-4-5' }));
      expect(result).toMatchObject({
        content: '{"name": "Ada Lovelace", "email": "ada@example.com"}',
        model: 'claude-haiku-4-5-20251001',
        finishReason: 'end_turn',
        inputTokens: 21 + 1024,
        outputTokens: 19,
        cachedTokens: 0,
        cacheWriteTokens: 1024,
        ttftMs: null,
      });
    });

    it('turns an error event inside the stream into a retryable 529 with the partial text', async () => {
      server.respond({ headers: SSE, body: fixture('anthropic-messages.overloaded.sse') });
      const error = (await anthropic().complete(request({ model: 'claude-sonnet-4-5' })).catch((e: unknown) => e)) as ProviderCallError;
      expect(error).toMatchObject({ kind: 'http', status: 529, providerCode: 'overloaded_error' });
      expect(error.retryable).toBe(true);
      expect(error.partial?.content).toBe('Parcels can be');
      expect(error.partial?.inputTokens).toBe(25);
    });

    it('fails a stream without message_stop', async () => {
      const body = fixture('anthropic-messages.stream.sse').split('event: message_stop')[0]!;
      server.respond({ headers: SSE, body });
      const error = (await anthropic().complete(request({ model: 'claude-sonnet-4-5' })).catch((e: unknown) => e)) as ProviderCallError;
      expect(error).toMatchObject({ kind: 'truncated' });
      expect(error.partial?.content).toContain('Parcels can be redirected');
    });

    it('reads the 529 overloaded error body', async () => {
      server.respond({ status: 529, headers: JSON_BODY, body: fixture('anthropic-error.529.json') });
      const error = (await anthropic().complete(request({ model: 'claude-sonnet-4-5' })).catch((e: unknown) => e)) as ProviderCallError;
      expect(error).toMatchObject({ kind: 'http', status: 529, providerCode: 'overloaded_error' });
      expect(error.retryable).toBe(true);
    });
  });
});
