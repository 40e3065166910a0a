import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndpointCall {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[] };
}

/** What the endpoint does with one request: an HTTP error (optionally with Retry-After), never answer, or vectors of the wrong size. */
export type EndpointStep = '500' | '503' | '429' | '429-retry-after-2' | 'hang' | 'short';

/**
 * A local OpenAI-compatible `/v1/embeddings` endpoint for tests: it plays `script` one step per
 * request (`always` repeats it), then answers with 3-dimensional vectors [text length, 1, 0] and
 * `usage.prompt_tokens` = the input's total length.
 */
export async function startEmbeddingsEndpoint(script: EndpointStep[] = [], options: { always?: EndpointStep } = {}) {
  const calls: EndpointCall[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as EndpointCall['body'];
      calls.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      const step = script.shift() ?? options.always;
      if (step === 'hang') return;
      if (step === '429-retry-after-2') return void res.writeHead(429, { 'retry-after': '2' }).end('{"error":"slow down"}');
      if (step === '500' || step === '503' || step === '429') return void res.writeHead(Number(step)).end('{"error":"busy"}');
      const data = body.input.map((t, index) => ({ index, embedding: step === 'short' ? [1] : [t.length, 1, 0] }));
      const tokens = body.input.reduce((n, t) => n + t.length, 0);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data.reverse(), model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    calls,
    /** Changes what every request past the script gets (undefined: vectors). */
    setAlways: (step: EndpointStep | undefined) => void (options.always = step),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
