import { Catch, Module, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ObservabilityModule, counter, registerReadinessCheck } from './index.js';

@Module({ imports: [ObservabilityModule] })
class ProbeAppModule {}

describe('ObservabilityModule over HTTP', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeAppModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });
  afterAll(() => app.close());

  it('answers liveness at once', async () => {
    const response = await fetch(`${baseUrl}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('reports not ready (503) until every registered check passes', async () => {
    let kafkaConnected = false;
    const removeKafka = registerReadinessCheck('kafka', () => kafkaConnected);
    const removeDb = registerReadinessCheck('database', async () => {
      throw new Error('connection refused');
    });

    const first = await fetch(`${baseUrl}/health/ready`);
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({
      ready: false,
      checks: { kafka: { ok: false }, database: { ok: false, error: 'connection refused' } },
    });

    kafkaConnected = true;
    removeDb();
    registerReadinessCheck('database', () => true);
    const second = await fetch(`${baseUrl}/health/ready`);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ready: true, checks: { kafka: { ok: true }, database: { ok: true } } });
    removeKafka();
  });

  it('hardening 3: answers /health as /health/ready, listing every check, 200 or 503', async () => {
    const removeDb = registerReadinessCheck('postgres', () => true);
    const removeKafka = registerReadinessCheck('kafka', () => true);

    const up = await fetch(`${baseUrl}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ ready: true, checks: { postgres: { ok: true }, kafka: { ok: true } } });

    const removeKafkaDown = registerReadinessCheck('kafka', () => false);
    const down = await fetch(`${baseUrl}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ ready: false, checks: { postgres: { ok: true }, kafka: { ok: false } } });
    removeKafkaDown();
    removeKafka();
    removeDb();
  });

  it('serves Prometheus metrics', async () => {
    // Per-tenant series need BALLAST_METRICS_TOKEN (metrics.labels.spec.ts); this one is open to every scrape.
    counter({ name: 'ballast_probe_requests_total', help: 'Probe test', labelNames: ['stage'] }).inc({ stage: 'ingress' });

    const response = await fetch(`${baseUrl}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('ballast_probe_requests_total{stage="ingress"} 1');
  });
});

/** Stands in for an app's catch-all error filter (ingress has one): it must not replace the readiness report. */
@Catch()
class CatchAllFilter implements ExceptionFilter {
  catch(_exception: unknown, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<{ status(n: number): { send(b: unknown): void } }>().status(500).send({ error: { code: 'ballast.internal' } });
  }
}

describe('readiness behind an app-wide exception filter', () => {
  it('hardening 3: still answers 503 with the report of every check', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(ProbeAppModule, new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new CatchAllFilter());
    await app.listen(0, '127.0.0.1');
    const remove = registerReadinessCheck('shutdown', () => {
      throw new Error('shutting down');
    });
    try {
      const response = await fetch(`${await app.getUrl()}/health/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ ready: false, checks: { shutdown: { ok: false, error: 'shutting down' } } });
    } finally {
      remove();
      await app.close();
    }
  });
});
