import { jest } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_TOPICS, ERROR_CODES } from '#contracts';
import { MemoryBroker, MemoryTransport, Publisher } from '#messaging';
import {
  EvalRunPromotionGate,
  InMemoryEvalRunRepository,
  InMemoryProcessedMessageStore,
  InMemoryPromptRegistryRepository,
  InMemoryTenantRepository,
  type NewEvalRun,
} from '#persistence';
import { createStageApp } from '#runtime';
import { IngressModule } from '../src/ingress.module.js';
import type { IngressDeps } from '../src/ingress.tokens.js';

jest.setTimeout(60_000);

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const FAQ = { name: 'faq', model: 'sim-1', template: { messages: [{ role: 'user', content: 'Q: {{question}}' }] } };
const run = (promptVersion: number, verdict: NewEvalRun['verdict']): NewEvalRun => ({
  promptName: 'faq',
  promptVersion,
  baselineVersion: null,
  model: 'sim-1',
  datasetHash: 'd'.repeat(64),
  cases: 10,
  passed: verdict === 'pass' ? 10 : 7,
  errors: 0,
  baselinePassed: null,
  regressions: verdict === 'pass' ? 0 : 3,
  tolerance: 0,
  assertionPassRates: {},
  verdict,
  target: 'embedded',
  actor: 'ada',
});

/** The admin API with the eval-run promotion gate ingress is wired with (ingressDepsFromConfig). */
describe('admin API promotion gate', () => {
  let app: NestFastifyApplication;
  let url: string;
  const runs = new InMemoryEvalRunRepository();

  beforeAll(async () => {
    const broker = new MemoryBroker(2);
    const transport = new MemoryTransport(broker);
    await transport.ensureTopics(ALL_TOPICS.map((name) => ({ name, partitions: 2 })));
    const deps: IngressDeps = {
      transport,
      publisher: new Publisher(transport, 'ingress'),
      registry: new InMemoryPromptRegistryRepository(),
      promotionGate: new EvalRunPromotionGate(runs),
      tenants: new InMemoryTenantRepository(),
      ledger: new InMemoryProcessedMessageStore(),
      instanceId: 'admin-gate-test',
      limits: { defaultTimeoutMs: 5_000, maxTimeoutMs: 10_000, defaultMaxTokens: 64 },
      concurrency: 4,
      adminKey: ADMIN_KEY,
    };
    app = await createStageApp({ module: IngressModule.register(deps), transport, stage: 'ingress', concurrency: 4 });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/v1/admin/prompts${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };

  it('refuses a version without a passing eval run with 409, and promotes it once one is stored', async () => {
    expect((await post('', FAQ)).status).toBe(201);
    const none = await post('/faq/promote', { version: 1, label: 'production', reason: 'launch' });
    expect(none).toMatchObject({ status: 409, body: { error: { code: ERROR_CODES.promotionRefused, message: expect.stringContaining('no eval run') } } });

    await runs.save(run(1, 'regression'), []);
    const failing = await post('/faq/promote', { version: 1, label: 'production', reason: 'launch' });
    expect(failing).toMatchObject({ status: 409, body: { error: { message: expect.stringContaining('found 3 regression(s)') } } });

    await runs.save(run(1, 'pass'), []);
    expect(await post('/faq/promote', { version: 1, label: 'production', reason: 'launch' })).toMatchObject({ status: 200, body: { gate: 'passed', event: { toVersion: 1, forced: false } } });
  });

  it('lets force with a reason through and records it; an unknown version is 404, not a refusal', async () => {
    expect((await post('', { ...FAQ, model: 'sim-2' })).status).toBe(201);
    expect(await post('/faq/promote', { version: 2, label: 'production', force: true, reason: 'incident 7' })).toMatchObject({
      status: 200,
      body: { gate: 'forced', event: { toVersion: 2, forced: true, reason: 'incident 7' } },
    });
    expect(await post('/faq/promote', { version: 9, label: 'production' })).toMatchObject({ status: 404, body: { error: { code: ERROR_CODES.promptNotFound } } });
  });
});
