import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { configureLabelLimits, configureMetrics, resetAllMetrics, shutdownTelemetry, startTelemetry } from '#observability';
import type { TenantRepository } from '#persistence';
import { INGRESS_DEPS, type IngressDeps } from '../../../services/ingress/src/ingress.tokens.js';
import { startEmbedded, type Embedded } from '../src/embedded.js';

jest.setTimeout(120_000);

const DEMO_KEY = 'test-key-operators';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** The tenant repository ingress uses (Postgres/PGlite), to add tenants with their own limits. */
function tenantsOf(apps: INestApplication[]): TenantRepository {
  // The ingress replicas are the apps with a listening HTTP server.
  const ingress = apps.find((app) => (app.getHttpServer() as { listening?: boolean }).listening);
  if (!ingress) throw new Error('no ingress app');
  return ingress.get<IngressDeps>(INGRESS_DEPS, { strict: false }).tenants;
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('operators hardening, through the embedded stack', () => {
  let ballast: Embedded;
  let tenants: TenantRepository;
  let now = Date.now();

  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'none' });
    ballast = await startEmbedded({ port: 0, apiKey: DEMO_KEY, promptsDir: 'prompts', ingressReplicas: 2 });
    configureMetrics({ BALLAST_METRICS_TOKEN: METRICS_TOKEN, BALLAST_METRICS_SERIES_TTL_MS: 60_000 });
    configureLabelLimits({ now: () => now });
    tenants = tenantsOf(ballast.apps);
  });
  afterAll(async () => {
    await ballast?.stop();
    resetAllMetrics();
    configureMetrics({});
    await shutdownTelemetry();
  });

  async function tenantWithKey(id: string, quotas: Record<string, number> = {}): Promise<string> {
    await tenants.upsertTenant({ id, name: id, allowedModels: ['sim-1'], quotas });
    const key = `bk_${id}_0123456789abcdef`;
    await tenants.createApiKey(id, key);
    return key;
  }

  // The native API: a model the tenant may not use becomes a failed outcome there, which /metrics counts
  // (the OpenAI route refuses it at the edge with 404 and counts nothing: docs/openai.md).
  let sent = 0;
  const chat = (key: string, model: string, base = ballast.url) =>
    fetch(`${base}/v1/requests?wait=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: `ops-chat-${sent++}`, model, messages: [{ role: 'user', content: 'Where is my parcel?' }] }),
    });
  const scrape = (token: string | null = METRICS_TOKEN) =>
    fetch(`${ballast.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const metricsText = async () => (await scrape()).text();
  /** The value of one `ballast_requests_total` series of a tenant with an error code, 0 when absent. */
  const forbiddenCount = async (tenant: string) => {
    const line = (await metricsText()).split('\n').find((l) => l.startsWith('ballast_requests_total{') && l.includes(`tenant="${tenant}"`) && l.includes('code="ballast.forbidden"'));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  describe('hardening 2: /metrics labels come only from bounded sets', () => {
    it('adds no series for 2,000 rejected requests with distinct model names, and never shows those names', async () => {
      const key = await tenantWithKey('ops-labels');
      for (let i = 0; i < 5; i++) expect((await chat(key, `warm-up-model-${i}`)).status).toBe(403);
      await eventually(async () => (await forbiddenCount('ops-labels')) === 5, 'the warm-up rejections in /metrics');
      const before = (await metricsText()).split('\n').length;

      for (let batch = 0; batch < 20; batch++) {
        const statuses = await Promise.all(Array.from({ length: 100 }, (_, i) => chat(key, `bogus-model-${batch}-${i}`).then((r) => r.status)));
        expect(statuses.every((s) => s === 403)).toBe(true);
      }
      await eventually(async () => (await forbiddenCount('ops-labels')) === 2_005, 'every rejection in /metrics');

      const body = await metricsText();
      expect(body.split('\n')).toHaveLength(before);
      expect(body).not.toMatch(/bogus-model|warm-up-model/);
      expect(body).toMatch(/ballast_requests_total\{tenant="ops-labels",prompt="-",version="-",model="other",status="failed",source="-",code="ballast.forbidden"\} 2005/);
    });

    it('never shows an SSN-shaped model name', async () => {
      const key = await tenantWithKey('ops-ssn');
      expect((await chat(key, 'sim-123-45-6789')).status).toBe(403);
      expect((await chat(key, 'my ssn is 123-45-6789')).status).toBe(403);
      await eventually(async () => (await forbiddenCount('ops-ssn')) === 2, 'the rejections in /metrics');
      expect(await metricsText()).not.toContain('123-45-6789');
    });

    it('refuses /metrics without the configured token and serves it with the token', async () => {
      const refused = await scrape(null);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ballast.unauthorized');
      expect((await scrape('not-the-metrics-token')).status).toBe(401);
      const served = await scrape();
      expect(served.status).toBe(200);
      expect(await served.text()).toContain('tenant="ops-labels"');
    });

    it('hides per-tenant series from unauthenticated scrapes when no token is configured', async () => {
      configureMetrics({});
      try {
        const res = await scrape(null);
        expect(res.status).toBe(200);
        const body = await res.text();
        expect(body).toContain('# TYPE ballast_requests_total counter');
        expect(body).not.toContain('tenant="');
      } finally {
        configureMetrics({ BALLAST_METRICS_TOKEN: METRICS_TOKEN, BALLAST_METRICS_SERIES_TTL_MS: 60_000 });
      }
    });

    it('drops a deleted tenant\'s series once they were not updated for the series TTL', async () => {
      const key = await tenantWithKey('ops-stale');
      expect((await chat(key, 'sim-1')).status).toBe(200);
      await eventually(async () => (await metricsText()).includes('tenant="ops-stale"'), 'the tenant\'s series');
      now += 61_000;
      const body = await metricsText();
      expect(body).not.toContain('tenant="ops-stale"');
      expect(body).toContain('# TYPE ballast_requests_total counter');
    });
  });

  describe('hardening 7: a tenant\'s requestsPerMinute holds across two ingress replicas', () => {
    it('admits at most the limit per window from both replicas together, refusing the rest with 429 and rate-limit headers', async () => {
      const limit = 40;
      const key = await tenantWithKey('ops-limited', { requestsPerMinute: limit });
      const results = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const res = await fetch(`${ballast.urls[i % 2]}/v1/requests`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ requestId: `limited-${i}`, prompt: { name: 'support-answer' }, variables: { question: `question ${i}` } }),
          });
          const body = (await res.json()) as { error?: { code: string } };
          return { status: res.status, headers: res.headers, code: body.error?.code };
        }),
      );
      expect(ballast.urls).toHaveLength(2);
      expect(results.every((r) => r.status === 202 || r.status === 429)).toBe(true);
      for (const refused of results.filter((r) => r.status === 429)) {
        expect(refused.code).toBe('ballast.quota_exceeded');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
        expect(refused.headers.get('x-ratelimit-limit')).toBe(String(limit));
      }
      // Windows are whole minutes; group by the window each answer names, in case the test straddles two.
      const byWindow = new Map<string, { sent: number; admitted: number }>();
      for (const r of results) {
        const window = r.headers.get('x-ratelimit-reset')!;
        const w = byWindow.get(window) ?? { sent: 0, admitted: 0 };
        w.sent++;
        if (r.status === 202) w.admitted++;
        byWindow.set(window, w);
      }
      // docs/rate-limits.md: never above the limit; below it by at most one unused block (ceil(limit/20)) per replica.
      const maxUnused = 2 * Math.ceil(limit / 20);
      for (const { sent, admitted } of byWindow.values()) {
        expect(admitted).toBeLessThanOrEqual(limit);
        if (sent >= limit + maxUnused) expect(admitted).toBeGreaterThanOrEqual(limit - maxUnused);
      }
    });
  });
});

describe('hardening 5: changing BALLAST_API_KEY replaces the seeded key', () => {
  let dataDir: string;
  beforeAll(async () => {
    await startTelemetry({ serviceName: 'ballast-test', exporter: 'none' });
    dataDir = await mkdtemp(join(tmpdir(), 'ballast-keys-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await shutdownTelemetry();
  });

  const models = (base: string, key: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });

  it('answers the old key with 401 and the new one with 200 after a restart with a new key, and refuses over-long keys', async () => {
    const first = await startEmbedded({ port: 0, apiKey: 'bk_first_seeded_key_0123', dataDir, promptsDir: 'prompts' });
    try {
      expect((await models(first.url, 'bk_first_seeded_key_0123')).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await startEmbedded({ port: 0, apiKey: 'bk_second_seeded_key_0123', dataDir, promptsDir: 'prompts' });
    try {
      const old = await models(second.url, 'bk_first_seeded_key_0123');
      expect(old.status).toBe(401);
      expect(((await old.json()) as { error: { code: string } }).error.code).toBe('ballast.unauthorized');
      expect((await models(second.url, 'bk_second_seeded_key_0123')).status).toBe(200);
      const long = await models(second.url, `bk_second_seeded_key_0123${'x'.repeat(1_000)}`);
      expect(long.status).toBe(401);
      expect(((await long.json()) as { error: { code: string } }).error.code).toBe('ballast.unauthorized');
    } finally {
      await second.stop();
    }
  });
});
