import { Module } from '@nestjs/common';
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

  it('serves Prometheus metrics', async () => {
    counter({ name: 'ballast_probe_requests_total', help: 'Probe test', labelNames: ['tenant'] }).inc({ tenant: 'acme' });

    const response = await fetch(`${baseUrl}/metrics`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain('ballast_probe_requests_total{tenant="acme"} 1');
  });
});
