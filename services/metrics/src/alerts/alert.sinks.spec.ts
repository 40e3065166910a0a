import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Alert, TOPICS, type Envelope } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { BusAlertSink, SYSTEM_TENANT, WebhookAlertSink } from './alert.sinks.js';

const firing = Alert.parse({
  kind: 'token_spike',
  severity: 'warning',
  labels: { tenant: 'acme', prompt: 'support-answer' },
  message: 'tokens per minute 40000 vs usual 20000 (tenant=acme prompt=support-answer)',
  value: 40_000,
  baseline: 20_000,
  threshold: 36_000,
  firedAt: '2026-12-05T10:00:00.000Z',
  key: 'token_spike{prompt=support-answer,tenant=acme}',
});

describe('Alert contract', () => {
  it('reads a record written before `state` existed as firing', () => {
    const { state: _state, key: _key, ...old } = firing;
    expect(Alert.parse(old).state).toBe('firing');
  });
});

describe('BusAlertSink', () => {
  it('publishes firing and resolved to ballast.alerts.v1 under the same key', async () => {
    const broker = new MemoryBroker(2);
    const transport = new MemoryTransport(broker);
    await transport.ensureTopics([{ name: TOPICS.alerts, partitions: 2 }]);
    const sink = new BusAlertSink(new Publisher(transport, 'metrics'));
    await sink.deliver(firing);
    await sink.deliver({ ...firing, state: 'resolved', resolvedAt: '2026-12-05T10:05:00.000Z' });
    await sink.deliver({ ...firing, kind: 'dlq_growth', labels: {}, key: 'dlq_growth{}' });
    const envelopes = broker.records(TOPICS.alerts).map((r) => ({ key: r.key, ...(JSON.parse(r.value.toString()) as Envelope<Alert>) }));
    const spike = envelopes.filter((e) => e.key === firing.key);
    expect(spike.map((e) => e.payload.state)).toEqual(['firing', 'resolved']);
    expect(spike.map((e) => e.tenantId)).toEqual(['acme', 'acme']);
    expect(envelopes.find((e) => e.key === 'dlq_growth{}')?.tenantId).toBe(SYSTEM_TENANT);
    expect(envelopes.every((e) => Alert.safeParse(e.payload).success)).toBe(true);
    await transport.close();
  });
});

describe('WebhookAlertSink', () => {
  let server: Server;
  let url: string;
  const received: { body: unknown; type: string | undefined }[] = [];
  let respond: (req: IncomingMessage) => { status: number; delayMs?: number } = () => ({ status: 200 });

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ body: JSON.parse(body), type: req.headers['content-type'] });
        const { status, delayMs = 0 } = respond(req);
        setTimeout(() => res.writeHead(status).end(), delayMs).unref();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    respond = () => ({ status: 200 });
  });

  it('posts Slack-compatible JSON with a text line and the alert', async () => {
    await new WebhookAlertSink(url, 2_000).deliver(firing);
    expect(received).toHaveLength(1);
    const body = received[0]!.body as { text: string; alert: Alert };
    expect(received[0]!.type).toBe('application/json');
    expect(body.text).toContain('[firing] token_spike');
    expect(body.text).toContain('tenant=acme');
    expect(body.alert.key).toBe(firing.key);
  });

  it('makes one attempt: an error answer is reported, not retried', async () => {
    respond = () => ({ status: 500 });
    await expect(new WebhookAlertSink(url, 2_000).deliver(firing)).rejects.toThrow('webhook answered 500');
    expect(received).toHaveLength(1);
  });

  it('gives up after its timeout on a receiver that does not answer', async () => {
    respond = () => ({ status: 200, delayMs: 5_000 });
    await expect(new WebhookAlertSink(url, 200).deliver(firing)).rejects.toThrow(/abort|timeout/i);
    expect(received).toHaveLength(1);
  });

  it('refuses more deliveries than it allows in flight instead of queueing them', async () => {
    respond = () => ({ status: 200, delayMs: 300 });
    const sink = new WebhookAlertSink(url, 2_000, 1);
    const first = sink.deliver(firing);
    await expect(sink.deliver(firing)).rejects.toThrow('webhook busy');
    await first;
    expect(received).toHaveLength(1);
  });
});
