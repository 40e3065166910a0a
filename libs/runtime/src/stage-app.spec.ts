import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MemoryBroker, MemoryTransport, OnTopic, StageController } from '#messaging';
import { ObservabilityModule } from '#observability';
import { waitUntil } from '#testing';
import { createStageApp } from './stage-app.js';
import { stopStageApps } from './graceful-stop.js';

/** Work the test finishes by hand: an HTTP answer or a record handler waits for it. */
class Gate {
  entered = 0;
  private open: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  async pass(): Promise<void> {
    this.entered++;
    await this.opened;
  }
  release(): void {
    this.open();
  }
}

let httpGate = new Gate();
let recordGate = new Gate();
let recordsHandled = 0;

@Controller('slow')
class SlowController {
  @Get()
  async answer(): Promise<{ done: true }> {
    await httpGate.pass();
    return { done: true };
  }
}

@StageController()
class SlowStage {
  @OnTopic('probe.work.v1')
  async handle(): Promise<void> {
    await recordGate.pass();
    recordsHandled++;
  }
}

@Module({ imports: [ObservabilityModule], controllers: [SlowController, SlowStage] })
class ProbeModule {}

function envelope(n: number): Buffer {
  const now = new Date().toISOString();
  return Buffer.from(
    JSON.stringify({ id: `e-${n}`, type: 'probe', schemaVersion: 1, requestId: `r-${n}`, tenantId: 'demo', createdAt: now, deadline: null, attempt: 0, payload: {} }),
  );
}

describe('stopStageApps on an app built by createStageApp', () => {
  let app: NestFastifyApplication;
  let transport: MemoryTransport;
  let url: string;

  beforeEach(async () => {
    httpGate = new Gate();
    recordGate = new Gate();
    recordsHandled = 0;
    transport = new MemoryTransport(new MemoryBroker(1));
    await transport.ensureTopics([{ name: 'probe.work.v1', partitions: 1 }]);
    app = await createStageApp({ module: ProbeModule, transport, stage: 'probe', concurrency: 4 });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });
  afterEach(async () => {
    httpGate.release();
    recordGate.release();
    await app.close();
    await transport.close();
  });

  it('hardening 3: fails readiness and refuses new requests at once, lets the request in flight finish, then closes', async () => {
    const inFlight = fetch(`${url}/slow`);
    await waitUntil(() => httpGate.entered === 1, 'the first request to reach its handler');

    const stopping = stopStageApps([app], { graceMs: 20_000, wholePipeline: true });

    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, checks: { shutdown: { ok: false, error: 'shutting down' } } });
    const refused = await fetch(`${url}/slow`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'ballast.shutting_down', type: 'server_error', param: null } });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);

    httpGate.release();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ done: true });
    expect(await stopping).toEqual({ httpAtStart: 1, recordsAtStart: 0, inFlight: 0 });
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });

  it('hardening 3: with every stage in the process, waits for the records being handled before it closes the stage', async () => {
    await transport.send([{ topic: 'probe.work.v1', key: 'r-1', value: envelope(1), headers: {} }]);
    await waitUntil(() => recordGate.entered === 1, 'the record to reach its handler');

    const stopping = stopStageApps([app], { graceMs: 20_000, wholePipeline: true });
    recordGate.release();
    expect(await stopping).toEqual({ httpAtStart: 0, recordsAtStart: 1, inFlight: 0 });
    expect(recordsHandled).toBe(1);
  });

  it('hardening 3: when the grace runs out, reports what was still in flight and closes anyway', async () => {
    const inFlight = fetch(`${url}/slow`).catch(() => null);
    await waitUntil(() => httpGate.entered === 1, 'the request to reach its handler');

    const stopping = stopStageApps([app], { graceMs: 50, wholePipeline: true });
    // Closing begins when the grace is over; the HTTP server's close then waits for the handler.
    await waitUntil(() => !app.getHttpServer().listening, 'the app to start closing');
    httpGate.release();
    expect(await stopping).toEqual({ httpAtStart: 1, recordsAtStart: 0, inFlight: 1 });
    await inFlight;
  });
});
