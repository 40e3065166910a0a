import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS, ERROR_CODES, TOPICS, type RegistryEvent } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import { DEMO_TENANT, InMemoryProcessedMessageStore, InMemoryPromptRegistryRepository, InMemoryTenantRepository } from '#persistence';
import { createStageApp } from '#runtime';
import { IngressModule } from '../src/ingress.module.js';
import type { IngressDeps } from '../src/ingress.tokens.js';

jest.setTimeout(60_000);

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const TENANT_KEY = 'tenant-key-0123456789abcdef';
const FAQ = { name: 'faq', model: 'sim-1', template: { messages: [{ role: 'user', content: 'Q: {{question}}' }] } };

interface Running {
  url: string;
  app: NestFastifyApplication;
  broker: MemoryBroker;
}

async function startIngress(adminKey: string | null): Promise<Running> {
  const broker = new MemoryBroker(2);
  const transport = new MemoryTransport(broker);
  await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: 2 })));
  const tenants = new InMemoryTenantRepository();
  await tenants.upsertTenant(DEMO_TENANT);
  await tenants.createApiKey(DEMO_TENANT.id, TENANT_KEY);
  const deps: IngressDeps = {
    transport,
    publisher: new Publisher(transport, 'ingress'),
    registry: new InMemoryPromptRegistryRepository(),
    tenants,
    ledger: new InMemoryProcessedMessageStore(),
    instanceId: `admin-test-${adminKey ? 'on' : 'off'}`,
    limits: { defaultTimeoutMs: 5_000, maxTimeoutMs: 10_000, defaultMaxTokens: 64 },
    concurrency: 4,
    adminKey,
  };
  const app = await createStageApp({ module: IngressModule.register(deps), transport, stage: 'ingress', concurrency: 4 });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, app, broker };
}

describe('admin API for prompts', () => {
  let on: Running;
  let off: Running;

  beforeAll(async () => {
    [on, off] = await Promise.all([startIngress(ADMIN_KEY), startIngress(null)]);
  });
  afterAll(async () => {
    await Promise.all([on?.app.close(), off?.app.close()]);
  });

  const call = (base: Running, method: string, path: string, body?: unknown, key: string | null = ADMIN_KEY, actor?: string) =>
    fetch(`${base.url}/v1/admin/prompts${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(actor ? { 'x-ballast-actor': actor } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const json = async (res: Response) => (await res.json()) as { [field: string]: unknown; error: { code: string; message: string } };
  const registryEvents = (r: Running) => r.broker.records(TOPICS.registry).map((rec) => JSON.parse(rec.value.toString()).payload as RegistryEvent);

  it('lets the admin key publish, promote, canary, finish, roll back and read the history, emitting each change', async () => {
    const published = await call(on, 'POST', '', FAQ, ADMIN_KEY, 'ada');
    expect(published.status).toBe(201);
    expect(await json(published)).toMatchObject({ name: 'faq', version: 1, created: true });
    expect((await call(on, 'POST', '', FAQ)).status).toBe(200);
    expect((await call(on, 'POST', '', { ...FAQ, params: { temperature: 0.3 } })).status).toBe(201);

    const promoted = await call(on, 'POST', '/faq/promote', { version: 1, label: 'production', reason: 'launch' }, ADMIN_KEY, 'ada');
    expect(promoted.status).toBe(200);
    expect(await json(promoted)).toMatchObject({ gate: 'not_configured', event: { kind: 'move', toVersion: 1, actor: 'ada', reason: 'launch' } });
    const canary = await json(await call(on, 'POST', '/faq/promote', { version: 2, label: 'production', reason: 'try', canary: 10 }));
    expect(canary).toMatchObject({ event: { kind: 'canary_start', toVersion: 1, traffic: { version: 2, share: 0.1 }, actor: 'admin' } });

    const shown = await json(await call(on, 'GET', '/faq'));
    expect(shown).toMatchObject({ name: 'faq', latestVersion: 2, labels: { production: { version: 1, canary: { version: 2, share: 0.1 } } } });
    expect((shown['versions'] as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);
    expect((await json(await call(on, 'GET', '')))['prompts']).toEqual([expect.objectContaining({ name: 'faq', labels: shown['labels'] })]);

    expect(await json(await call(on, 'POST', '/faq/promote', { label: 'production', finish: true, reason: 'v2 is fine' }))).toMatchObject({
      event: { kind: 'canary_finish', fromVersion: 1, toVersion: 2 },
    });
    expect(await json(await call(on, 'POST', '/faq/rollback', { label: 'production', reason: 'complaints' }))).toMatchObject({
      event: { kind: 'rollback', fromVersion: 2, toVersion: 1, reason: 'complaints' },
    });
    const history = await json(await call(on, 'GET', '/faq/history'));
    expect((history['events'] as { kind: string; toVersion: number }[]).map((e) => [e.kind, e.toVersion])).toEqual([
      ['move', 1],
      ['canary_start', 1],
      ['canary_finish', 2],
      ['rollback', 1],
    ]);
    expect(registryEvents(on).map((e) => e.change ?? e.kind)).toEqual(['version_published', 'version_published', 'move', 'canary_start', 'canary_finish', 'rollback']);
  });

  it('records a forced promotion with its reason, and refuses force without one', async () => {
    await call(on, 'POST', '', { ...FAQ, name: 'forced' });
    const noReason = await call(on, 'POST', '/forced/promote', { version: 1, label: 'production', force: true });
    expect(noReason.status).toBe(400);
    expect((await json(noReason)).error.message).toMatch(/force needs a reason/);
    const forced = await json(await call(on, 'POST', '/forced/promote', { version: 1, label: 'production', force: true, reason: 'incident 42' }));
    expect(forced).toMatchObject({ gate: 'forced', event: { forced: true, reason: 'incident 42' } });
  });

  it('answers bad requests with a stable code and a message naming the problem', async () => {
    const cases: [Response, number, string, RegExp][] = [
      [await call(on, 'POST', '', { ...FAQ, template: { messages: [] } }), 400, ERROR_CODES.invalidRequest, /template/],
      [await call(on, 'POST', '/faq/promote', { version: 1 }), 400, ERROR_CODES.invalidRequest, /label/],
      [await call(on, 'POST', '/faq/promote', { version: 1, label: 'production', canary: 150 }), 400, ERROR_CODES.invalidRequest, /canary/],
      [await call(on, 'POST', '/faq/promote', { version: 9, label: 'production' }), 404, ERROR_CODES.promptNotFound, /no version 9/],
      [await call(on, 'POST', '/faq/promote', { label: 'production', finish: true }), 409, ERROR_CODES.registryConflict, /no canary/],
      [await call(on, 'GET', '/ghost'), 404, ERROR_CODES.promptNotFound, /not registered/],
      [await call(on, 'GET', '/ghost/history'), 404, ERROR_CODES.promptNotFound, /not registered/],
    ];
    for (const [res, status, code, message] of cases) {
      const body = await json(res);
      expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
      expect(body.error.message).toMatch(message);
    }
  });

  it('refuses a tenant key with 403, no key or a wrong key with 401, and changes nothing', async () => {
    const before = registryEvents(on).length;
    const tenant = await call(on, 'POST', '/faq/rollback', { label: 'production' }, TENANT_KEY);
    expect(tenant.status).toBe(403);
    expect((await json(tenant)).error).toMatchObject({ code: ERROR_CODES.forbidden, message: expect.stringMatching(/BALLAST_ADMIN_KEY/) });
    const none = await call(on, 'GET', '', undefined, null);
    expect(none.status).toBe(401);
    expect((await json(none)).error.code).toBe(ERROR_CODES.unauthorized);
    expect((await call(on, 'GET', '', undefined, 'not-the-admin-key-at-all')).status).toBe(401);
    expect(registryEvents(on)).toHaveLength(before);
  });

  it('does not exist without BALLAST_ADMIN_KEY, and says how to turn it on', async () => {
    const res = await call(off, 'GET', '', undefined, TENANT_KEY);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toMatchObject({ code: ERROR_CODES.adminDisabled, message: expect.stringMatching(/set BALLAST_ADMIN_KEY/) });
  });
});
