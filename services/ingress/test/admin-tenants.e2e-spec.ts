import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS, ERROR_CODES, TOPICS } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { apiKeyHash, InMemoryProcessedMessageStore, InMemoryPromptRegistryRepository, InMemoryTenantRepository } from '#persistence';
import { createLogger, getMemorySpanExporter, shutdownTelemetry, startTelemetry } from '#observability';
import { createStageApp } from '#runtime';
import { API_ERROR_LOGGER } from '../src/http/api-error.filter.js';
import { IngressModule } from '../src/ingress.module.js';
import type { IngressDeps } from '../src/ingress.tokens.js';
import { TENANT_CHANGES_POLL, TenantChangesPoller } from '../src/limits/tenant-changes.poller.js';

jest.setTimeout(60_000);

const ADMIN_KEY = 'admin-key-0123456789abcdef';

class TestRoot {}
class TestOverrides {}

interface Replica {
  url: string;
  app: NestFastifyApplication;
}

describe('issue 11: tenants and keys admin API', () => {
  const broker = new MemoryBroker(2);
  const transport = new MemoryTransport(broker);
  const tenants = new InMemoryTenantRepository();
  const registry = new InMemoryPromptRegistryRepository();
  const logged: string[] = [];
  const replicas: Replica[] = [];

  async function start(n: number): Promise<Replica> {
    const deps: IngressDeps = {
      transport,
      publisher: new Publisher(transport, 'ingress'),
      registry,
      tenants,
      ledger: new InMemoryProcessedMessageStore(),
      instanceId: `tenants-test-${n}`,
      limits: { defaultTimeoutMs: 2_000, maxTimeoutMs: 5_000, defaultMaxTokens: 64 },
      concurrency: 4,
      adminKey: ADMIN_KEY,
    };
    const logStream = new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) });
    // Polling off (the test polls by hand) and the error log captured, through a global module.
    const overrides = [
      { provide: TENANT_CHANGES_POLL, useValue: 0 },
      { provide: API_ERROR_LOGGER, useValue: createLogger({ service: 'ingress', destination: logStream }) },
    ];
    const module = { module: TestRoot, imports: [IngressModule.register(deps), { module: TestOverrides, global: true, providers: overrides, exports: overrides.map((o) => o.provide) }] };
    const app = await createStageApp({ module, transport, stage: 'ingress', concurrency: 4 });
    await app.listen(0, '127.0.0.1');
    return { url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, app };
  }

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'memory' });
    await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: 2 })));
    replicas.push(await start(0), await start(1));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.app.close()));
    await shutdownTelemetry();
  });

  const admin = (method: string, path: string, body?: unknown, key = ADMIN_KEY, r = replicas[0]!) =>
    fetch(`${r.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const asTenant = (key: string, r = replicas[0]!, path = '/v1/models') => fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown> & { error: { code: string; message: string } };
  const bodies: string[] = [];
  const text = async (res: Response) => {
    const t = await res.text();
    bodies.push(t);
    return JSON.parse(t) as Record<string, unknown> & { error: { code: string; message: string } };
  };

  it('creates, lists, shows and updates tenants; refuses a duplicate, a bad id and an unknown limit with one clear line', async () => {
    const created = await admin('POST', '/tenants', { id: 'acme', name: 'Acme', allowedModels: ['sim-1'], quotas: { requestsPerMinute: 100 } });
    expect(created.status).toBe(201);
    expect(await json(created)).toMatchObject({ id: 'acme', allowedModels: ['sim-1'], allowedPrompts: null, quotas: { requestsPerMinute: 100 } });
    expect((await json(await admin('POST', '/tenants', { id: 'acme' }))).error.message).toMatch(/already exists: change it with PATCH/);
    const bad = await admin('POST', '/tenants', { id: 'Not OK' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({ code: ERROR_CODES.invalidRequest, message: expect.stringMatching(/^id: lower-case/) });
    const typo = await admin('PATCH', '/tenants/acme', { quotas: { requestsPerMinit: 5 } });
    expect(typo.status).toBe(400);
    expect((await json(typo)).error.message).toMatch(/requestsPerMinit/);

    const updated = await json(await admin('PATCH', '/tenants/acme', { allowedPrompts: ['faq'], quotas: { usdPerDay: 2.5, requestsPerMinute: null } }));
    expect(updated).toMatchObject({ allowedPrompts: ['faq'], quotas: { usdPerDay: 2.5 } });
    expect(updated.quotas).not.toHaveProperty('requestsPerMinute');
    expect((await json(await admin('GET', '/tenants'))).tenants).toEqual([expect.objectContaining({ id: 'acme' })]);
    expect((await json(await admin('GET', '/tenants/acme'))).keys).toEqual([]);
    expect((await admin('GET', '/tenants/nobody')).status).toBe(404);
  });

  it('issues a key shown once (stored hashed, listed by prefix), which works on every replica; a tenant key cannot use the admin API', async () => {
    const issued = await admin('POST', '/tenants/acme/keys', { label: 'ci' });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const body = (await json(issued)) as unknown as { key: string; id: string; prefix: string };
    expect(body.key).toMatch(/^bk_[0-9a-f]{48}$/);
    expect(body.prefix).toBe(body.key.slice(0, 6));
    expect(tenants.storedKeyHashes()).toContain(apiKeyHash(body.key));

    const listed = await admin('GET', '/tenants/acme/keys');
    const listedText = await listed.text();
    expect(listedText).not.toContain(body.key);
    expect(JSON.parse(listedText).keys).toEqual([expect.objectContaining({ id: body.id, prefix: body.prefix, label: 'ci', revokedAt: null })]);

    for (const r of replicas) expect((await asTenant(body.key, r)).status).toBe(200);
    expect((await json(await admin('GET', '/tenants', undefined, body.key))).error.code).toBe(ERROR_CODES.forbidden);
  });

  it('revokes a key: refused at once on the replica that revoked it and on the other after its next change-log poll', async () => {
    const { key, id } = (await json(await admin('POST', '/tenants/acme/keys', {}))) as unknown as { key: string; id: string };
    for (const r of replicas) expect((await asTenant(key, r)).status).toBe(200);
    const revoked = await admin('DELETE', `/keys/${id}`);
    expect(await json(revoked)).toMatchObject({ id, revokedAt: expect.any(String) });
    const here = await asTenant(key, replicas[0]);
    expect(here.status).toBe(401);
    expect((await text(here)).error.code).toBe(ERROR_CODES.unauthorized);
    await replicas[1]!.app.get(TenantChangesPoller).poll();
    expect((await asTenant(key, replicas[1])).status).toBe(401);
    expect((await admin('DELETE', '/keys/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses a prompt the tenant is not allowed (403) and a tenant over its budget (429) before anything reaches the pipeline', async () => {
    await admin('POST', '/tenants', { id: 'spender', allowedModels: ['sim-1'], allowedPrompts: ['support-answer'], quotas: { usdPerDay: 2.5 } });
    const { key } = (await json(await admin('POST', '/tenants/spender/keys', {}))) as unknown as { key: string };
    const before = broker.records(TOPICS.guardInput).length;
    const post = (body: unknown) => fetch(`${replicas[0]!.url}/v1/requests`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const forbidden = await post({ requestId: 'r-forbidden', prompt: { name: 'faq' }, variables: { question: 'hi' } });
    expect(forbidden.status).toBe(403);
    expect((await text(forbidden)).error).toMatchObject({ code: ERROR_CODES.forbidden, message: expect.stringMatching(/prompt "faq" is not allowed for tenant "spender"/) });

    await tenants.addUsage([{ tenantId: 'spender', metric: 'usdPerDay', windowStart: new Date(new Date().setUTCHours(0, 0, 0, 0)), amount: 2.5 }]);
    const over = await fetch(`${replicas[1]!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-1', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await text(over)).error).toMatchObject({ code: ERROR_CODES.budgetExceeded, message: expect.stringMatching(/budget of 2.5 USD per day/) });
    expect(broker.records(TOPICS.guardInput).length).toBe(before);
  });

  it('answers over a request limit with 429, Retry-After and the OpenAI x-ratelimit headers', async () => {
    await admin('POST', '/tenants', { id: 'small', quotas: { requestsPerSecond: 1, requestBurst: 2, tokensPerMinute: 1000 } });
    const { key } = (await json(await admin('POST', '/tenants/small/keys', {}))) as unknown as { key: string };
    const first = await asTenant(key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    // One token back within a second at 1 request/s ("1s", or "999ms" when the clock ticked in between).
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(?:1s|\d{1,3}ms)$/);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-reset-tokens')).toMatch(/^(\d+ms|\d+(\.\d+)?s)$/);
    await asTenant(key);
    const refused = await asTenant(key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await text(refused)).error.code).toBe(ERROR_CODES.quotaExceeded);
  });

  it('never lets an API key reach a span, an error body, a log line or the bus', async () => {
    const { key } = (await json(await admin('POST', '/tenants/acme/keys', {}))) as unknown as { key: string };
    await asTenant(`${key}x`);
    await asTenant(key);
    const spans = JSON.stringify(getMemorySpanExporter().getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
    expect(spans.length).toBeGreaterThan(2);
    const bus = ALL_TOPICS.flatMap((t) => broker.records(t).map((r) => r.value.toString() + JSON.stringify(r.headers)));
    for (const haystack of [spans, bodies.join('\n'), logged.join('\n'), bus.join('\n')]) expect(haystack).not.toContain(key.slice(6));
  });
});
