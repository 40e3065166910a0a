import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string;
  /** Bytes per write, so a parser sees events split anywhere; the default sends it whole. */
  chunkSize?: number;
}

export interface CapturedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** Serves recorded provider responses byte for byte, and keeps what was asked. */
export interface FixtureServer {
  url: string;
  requests: CapturedRequest[];
  respond(response: FixtureResponse): void;
  close(): Promise<void>;
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
}

export async function startFixtureServer(): Promise<FixtureServer> {
  let next: FixtureResponse = { body: '' };
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', headers: req.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      const response = next;
      res.writeHead(response.status ?? 200, response.headers ?? {});
      const size = response.chunkSize ?? response.body.length;
      const bytes = Buffer.from(response.body, 'utf8');
      let at = 0;
      const write = () => {
        if (at >= bytes.length) return void res.end();
        res.write(bytes.subarray(at, at + size));
        at += size;
        setImmediate(write);
      };
      write();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (response) => {
      next = response;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const SSE = { 'content-type': 'text/event-stream; charset=utf-8' };
export const JSON_BODY = { 'content-type': 'application/json' };
