import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The recorded `/analyze` exchanges in Presidio's documented format (`fixtures/presidio-analyze.json`). */
export const PRESIDIO_EXCHANGES = (
  JSON.parse(readFileSync(new URL('./fixtures/presidio-analyze.json', import.meta.url), 'utf8')) as {
    exchanges: Array<{ request: { text: string; language: string }; response: unknown[] }>;
  }
).exchanges;

export type FakeBehaviour = 'replay' | 'slow' | 'error' | 'not-json' | 'wrong-shape' | 'out-of-range';

/**
 * A local HTTP server answering `POST /analyze` like a Presidio Analyzer: it replays the recorded
 * answer for a recorded text (an empty list for any other text), or misbehaves as told.
 */
export async function startFakePresidio(): Promise<{ url: string; behave(b: FakeBehaviour): void; requests: Array<Record<string, unknown>>; close(): Promise<void> }> {
  let behaviour: FakeBehaviour = 'replay';
  const requests: Array<Record<string, unknown>> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/analyze') {
        res.statusCode = 404;
        res.end('{}');
        return;
      }
      const body = JSON.parse(raw) as { text: string };
      requests.push(body);
      res.setHeader('content-type', 'application/json');
      if (behaviour === 'slow') return void setTimeout(() => res.end('[]'), 2_000).unref();
      if (behaviour === 'error') {
        res.statusCode = 503;
        return void res.end('{"error":"analyzer unavailable"}');
      }
      if (behaviour === 'not-json') return void res.end('<html>gateway</html>');
      if (behaviour === 'wrong-shape') return void res.end(JSON.stringify({ results: [] }));
      if (behaviour === 'out-of-range') return void res.end(JSON.stringify([{ entity_type: 'PERSON', start: 0, end: body.text.length + 5, score: 0.9 }]));
      const recorded = PRESIDIO_EXCHANGES.find((e) => e.request.text === body.text);
      res.end(JSON.stringify(recorded?.response ?? []));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    behave: (b) => (behaviour = b),
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
