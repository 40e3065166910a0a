import { AnthropicProvider, OpenAiCompatibleProvider, type ProviderRequest } from '#models';
import { SSE, fixture, startFixtureServer, type FixtureServer } from './support/fixture-server.js';

// The recorded streams of test/fixtures, served over real HTTP: a streamed request's text reaches
// onDelta piece by piece as the provider sends it, and the pieces make the whole answer.
describe('provider adapters hand streamed text to onDelta', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  const request = (model: string, onDelta: (text: string) => void): ProviderRequest => ({
    model,
    messages: [{ role: 'user', content: 'Can I change the delivery address?' }],
    temperature: 0,
    maxTokens: 256,
    signal: AbortSignal.timeout(5_000),
    onDelta,
  });

  it.each([
    ['OpenAI chat completions', 'openai-chat.stream.sse', 'gpt-4o-mini', () => new OpenAiCompatibleProvider({ name: 'openai', baseUrl: `${server.url}/v1`, apiKey: 'sk-test', models: ['*'] })],
    ['Anthropic messages', 'anthropic-messages.stream.sse', 'claude-sonnet-4-5', () => new AnthropicProvider({ name: 'anthropic', baseUrl: server.url, apiKey: 'sk-ant-test' })],
  ] as const)('%s', async (_name, file, model, provider) => {
    server.respond({ headers: SSE, body: fixture(file), chunkSize: 64 });
    const pieces: string[] = [];
    const result = await provider().complete(request(model, (t) => pieces.push(t)));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(result.content);
  });
});
