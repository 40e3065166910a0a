import OpenAI from 'openai';
import { SimulatorProvider } from '#models';
import { startSimulatorServer, type SimulatorServer } from '../src/simulator/simulator.server.js';

describe('ballast simulate: the simulator over the OpenAI wire format', () => {
  let sim: SimulatorServer;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSimulatorServer({ port: 0, ttft: 'uniform:1,5', tokensPerSecond: '5000' });
    client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 5_000 });
  });
  afterAll(() => sim.close());

  const messages = [{ role: 'user' as const, content: 'Where is my parcel?' }];

  it('answers like the in-process simulator, streamed or not, as the official SDK reads it', async () => {
    const inProcess = await new SimulatorProvider().complete({ model: 'sim-1', messages, temperature: 0, maxTokens: 256, signal: AbortSignal.timeout(1_000) });
    const whole = await client.chat.completions.create({ model: 'sim-1', messages });
    expect(whole.choices[0]!.message.content).toBe(inProcess.content);
    expect(whole.usage).toMatchObject({ prompt_tokens: inProcess.inputTokens, completion_tokens: inProcess.outputTokens });

    const stream = await client.chat.completions.create({ model: 'sim-1', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(inProcess.content);
    expect(chunks).toBeGreaterThan(5);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(inProcess.outputTokens);
  });

  it('answers a json_schema response_format with conforming JSON', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-1',
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 'order', strict: true, schema: { type: 'object', required: ['orderId', 'items'], properties: { orderId: { type: 'string', format: 'uuid' }, items: { type: 'array', minItems: 2, items: { type: 'integer', minimum: 1 } } } } } },
    });
    const parsed = JSON.parse(completion.choices[0]!.message.content!) as { orderId: string; items: number[] };
    expect(parsed.orderId).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed.items.length).toBeGreaterThanOrEqual(2);
    expect(parsed.items.every((n) => Number.isInteger(n) && n >= 1)).toBe(true);
  });

  it('serves deterministic unit embeddings (float and the SDK default base64)', async () => {
    const a = await client.embeddings.create({ model: 'sim-embed', input: ['refund policy', 'refund policy', 'parcel tracking'] });
    const floats = await client.embeddings.create({ model: 'sim-embed', input: 'refund policy', encoding_format: 'float', dimensions: 64 });
    expect(a.data).toHaveLength(3);
    expect(a.data[0]!.embedding).toEqual(a.data[1]!.embedding);
    expect(a.data[0]!.embedding).not.toEqual(a.data[2]!.embedding);
    const norm = Math.hypot(...a.data[0]!.embedding);
    expect(norm).toBeCloseTo(1, 4);
    expect(floats.data[0]!.embedding).toHaveLength(64);
    expect(a.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('injects faults on request: 429 with Retry-After, then success once `times` is used up', async () => {
    const headers = { 'x-ballast-sim-fault': '429;retry-after=3;times=1;id=sdk' };
    const error = (await client.chat.completions.create({ model: 'sim-1', messages }, { headers }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('3');
    const ok = await client.chat.completions.create({ model: 'sim-1', messages }, { headers });
    expect(ok.choices[0]!.finish_reason).toBe('stop');
  });

  it('injects faults by rate, reproducibly for a seed', async () => {
    const faulty = await startSimulatorServer({ port: 0, faults: '500=0.3,429=0.2', seed: 1 });
    try {
      const raw = new OpenAI({ baseURL: `${faulty.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const statuses = await Promise.all(
        Array.from({ length: 200 }, () => raw.chat.completions.create({ model: 'sim-1', messages }).then(() => 200, (e: { status?: number }) => e.status ?? 0)),
      );
      const share = (s: number) => statuses.filter((x) => x === s).length / statuses.length;
      expect(share(500)).toBeGreaterThan(0.2);
      expect(share(500)).toBeLessThan(0.4);
      expect(share(429)).toBeGreaterThan(0.1);
      expect(share(429)).toBeLessThan(0.3);
      expect(faulty.requests.map((r) => r.fault)).toEqual(statuses.map((s) => (s === 200 ? null : String(s))));
    } finally {
      await faulty.close();
    }
  });

  it('hangs and cuts streams when asked', async () => {
    const hang = await client.chat.completions.create({ model: 'sim-1', messages }, { headers: { 'x-ballast-sim-fault': 'hang' }, timeout: 300 }).catch((e: Error) => e);
    expect(hang).toBeInstanceOf(OpenAI.APIConnectionError); // the SDK gave up on its own timeout; the server never answered
    const cut = await (async () => {
      const stream = await client.chat.completions.create({ model: 'sim-1', messages, stream: true }, { headers: { 'x-ballast-sim-fault': 'cut;after=3' } });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    })().catch((e: Error) => e);
    expect(typeof cut).toBe('object'); // the SDK's stream threw instead of ending quietly with half an answer
    expect((cut as Error).message).toMatch(/terminated|aborted|socket|closed/i);
  });
});
