import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BallastError, ERROR_CODES } from '#contracts';
import { OpenAiEmbedder } from './openai.embedder.js';

interface Call {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[] };
}

/** A local /v1/embeddings endpoint that answers from a script of responses, then with vectors of the text lengths. */
async function startEndpoint(script: ('500' | '429' | 'hang' | 'short')[] = []) {
  const calls: Call[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as Call['body'];
      calls.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const step = script.shift();
      if (step === 'hang') return;
      if (step === '500' || step === '429') return void res.writeHead(Number(step)).end('{"error":"busy"}');
      const data = body.input.map((t, index) => ({ index, embedding: step === 'short' ? [1] : [t.length, 1, 0] }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data.reverse(), model: body.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, calls, close: () => new Promise<void>((resolve) => server.closeAllConnections() ?? server.close(() => resolve())) };
}

const options = { model: 'text-embedding-3-small', dimensions: 3, backoffMs: 1 };

describe('OpenAiEmbedder', () => {
  it('posts batches to /embeddings with the key, and returns unit vectors in the order of the texts', async () => {
    const endpoint = await startEndpoint();
    try {
      const embedder = new OpenAiEmbedder({ ...options, baseUrl: `${endpoint.url}/`, apiKey: 'sk-test', batchSize: 2 });
      const vectors = await embedder.embed(['a', 'bbb', 'cc']);
      expect(endpoint.calls.map((c) => [c.path, c.auth, c.body.input])).toEqual([
        ['/v1/embeddings', 'Bearer sk-test', ['a', 'bbb']],
        ['/v1/embeddings', 'Bearer sk-test', ['cc']],
      ]);
      expect(vectors.map((v) => Math.round((v[0]! / v[1]!) * 100) / 100)).toEqual([1, 3, 2]);
      expect(vectors[1]![0]! ** 2 + vectors[1]![1]! ** 2).toBeCloseTo(1, 5);
    } finally {
      await endpoint.close();
    }
  });

  it('retries a 500, a 429 and a timeout, then answers', async () => {
    const endpoint = await startEndpoint(['500', '429', 'hang']);
    try {
      const embedder = new OpenAiEmbedder({ ...options, baseUrl: endpoint.url, timeoutMs: 200, retries: 3 });
      expect(await embedder.embed(['hello'])).toHaveLength(1);
      expect(endpoint.calls).toHaveLength(4);
    } finally {
      await endpoint.close();
    }
  });

  it('gives up after its retries with a stable code naming the endpoint', async () => {
    const endpoint = await startEndpoint(['500', '500', '500']);
    try {
      const embedder = new OpenAiEmbedder({ ...options, baseUrl: endpoint.url, retries: 2 });
      const error = (await embedder.embed(['hello']).catch((e: unknown) => e)) as BallastError;
      expect(error).toBeInstanceOf(BallastError);
      expect(error.code).toBe(ERROR_CODES.providerError);
      expect(error.message).toMatch(/\/v1\/embeddings answered HTTP 500/);
      expect(endpoint.calls).toHaveLength(3);
    } finally {
      await endpoint.close();
    }
  });

  it('refuses vectors of the wrong size without retrying', async () => {
    const endpoint = await startEndpoint(['short']);
    try {
      const embedder = new OpenAiEmbedder({ ...options, baseUrl: endpoint.url });
      await expect(embedder.embed(['hello'])).rejects.toThrow(/vector of 1 for model text-embedding-3-small, configured with 3 dimensions/);
      expect(endpoint.calls).toHaveLength(1);
    } finally {
      await endpoint.close();
    }
  });

  it('reports an endpoint that is down as unavailable', async () => {
    const embedder = new OpenAiEmbedder({ ...options, baseUrl: 'http://127.0.0.1:9/v1', retries: 0 });
    const error = (await embedder.embed(['hello']).catch((e: unknown) => e)) as BallastError;
    expect(error.code).toBe(ERROR_CODES.providerUnavailable);
  });
});
