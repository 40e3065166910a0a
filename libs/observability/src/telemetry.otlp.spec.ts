import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { shutdownTelemetry, startTelemetry, withSpan } from './index.js';

describe('telemetry with an OTLP collector', () => {
  let collector: Server;
  let endpoint: string;
  const received: { path: string | undefined; contentType: string | undefined; body: Buffer }[] = [];

  beforeAll(async () => {
    collector = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ path: request.url, contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it('exports spans to <endpoint>/v1/traces when OTEL_EXPORTER_OTLP_ENDPOINT is set, flushing on shutdown', async () => {
    const handle = await startTelemetry({ serviceName: 'inference', env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
    expect(handle.exporter).toBe('otlp');

    await withSpan('chat sim-1', {}, () => undefined);
    await shutdownTelemetry();

    expect(received).toHaveLength(1);
    expect(received[0]?.path).toBe('/v1/traces');
    expect(received[0]?.body.toString('latin1')).toContain('chat sim-1');
    expect(received[0]?.body.toString('latin1')).toContain('inference');
  });
});
