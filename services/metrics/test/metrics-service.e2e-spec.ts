import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS, Alert, TOPICS, UsageEvent, createEnvelope, type Envelope } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { createStageApp, stopStageApps } from '#runtime';
import { waitUntil } from '#testing';
import { metricsConfig } from '../src/metrics.config.js';
import { metricsDepsFromConfig } from '../src/metrics.deps.js';
import { MetricsModule } from '../src/metrics.module.js';
import type { MetricsDeps } from '../src/metrics.tokens.js';

/** The metrics service as it runs on its own: its HTTP port, its topics, the alert timer. */
describe('metrics service', () => {
  let app: NestFastifyApplication;
  let broker: MemoryBroker;
  let transport: MemoryTransport;
  let deps: MetricsDeps;
  let url: string;
  let now = Date.parse('2026-12-05T10:00:30.000Z');

  beforeAll(async () => {
    broker = new MemoryBroker(2);
    transport = new MemoryTransport(broker);
    await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: 2 })));
    const config = metricsConfig.load({});
    deps = { ...metricsDepsFromConfig(config, { publisher: new Publisher(transport, 'metrics'), transport, clock: { now: () => now } }), alertIntervalMs: 1_000 };
    app = await createStageApp({ module: MetricsModule.register(deps), transport, stage: 'metrics', concurrency: 4, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await stopStageApps([app], { graceMs: 0, wholePipeline: false });
    await transport.close();
  });

  it('serves /dashboard and its series from the events it consumed', async () => {
    const usage = UsageEvent.parse({
      kind: 'inference', requestId: 'u1', tenantId: 'acme', promptName: 'support-answer', promptVersion: 1, model: 'sim-1',
      provider: 'simulator', status: 'ok', inputTokens: 120, outputTokens: 30, costUsd: 0.002, latencyMs: 200, ttftMs: 40,
    });
    await new Publisher(transport, 'inference').publish(TOPICS.usage, createEnvelope(TOPICS.usage, usage, { requestId: 'u1', tenantId: 'acme' }));
    await waitUntil(() => deps.history.window({ by: [] }, now - 60_000, now + 60_000).size > 0, 'the usage event in the history');

    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/dashboard/vendor/uplot.js');
    const uplot = await fetch(`${url}/dashboard/vendor/uplot.js`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain('uPlot');

    const series = (await (await fetch(`${url}/dashboard/api/series?from=${now - 120_000}&to=${now + 60_000}`)).json()) as { access: string; tokens: { input: number[] } };
    expect(series.access).toBe('without-tenants');
    expect(series.tokens.input.reduce((a, b) => a + b, 0)).toBe(120);
  });

  it('counts raw dead letters and alerts on DLQ growth from its timer, to ballast.alerts.v1', async () => {
    const garbage = Array.from({ length: 12 }, (_, i) => ({ topic: TOPICS.dlq, key: `bad-${i}`, value: Buffer.from('not json'), headers: {} }));
    await transport.send(garbage);
    await waitUntil(() => deps.history.deadLettersPerMinute(now, now + 1).at(0) === 12, 'the dead letters in the history');

    await waitUntil(() => broker.records(TOPICS.alerts).length > 0, 'an alert on ballast.alerts.v1', 10_000);
    const alert = Alert.parse((JSON.parse(broker.records(TOPICS.alerts)[0]!.value.toString()) as Envelope<Alert>).payload);
    expect(alert).toMatchObject({ kind: 'dlq_growth', state: 'firing', value: 12 });
    expect((await deps.alerts.open()).map((a) => a.kind)).toEqual(['dlq_growth']);

    // Ten minutes later the window holds no dead letters: one resolved record follows.
    now += 10 * 60_000;
    await waitUntil(() => broker.records(TOPICS.alerts).length === 2, 'the resolved alert', 10_000);
    const states = broker.records(TOPICS.alerts).map((r) => (JSON.parse(r.value.toString()) as Envelope<Alert>).payload.state);
    expect(states).toEqual(['firing', 'resolved']);
  });
});
