import { jest } from '@jest/globals';
import { runCliCapturing as ballast } from '../../test/run-in-process.js';
import { startAdminIngress } from '../../test/admin-ingress.js';

jest.setTimeout(60_000);

const ADMIN_KEY = 'cli-admin-key-0123456789';

describe('ballast tenants', () => {
  let ingress: Awaited<ReturnType<typeof startAdminIngress>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    ingress = await startAdminIngress(ADMIN_KEY);
    process.env['BALLAST_URL'] = ingress.url;
    process.env['BALLAST_ADMIN_KEY'] = ADMIN_KEY;
  });
  afterAll(async () => {
    process.env = saved;
    await ingress?.close();
  });

  it('creates a tenant with its models, prompts and limits, lists it and shows it', async () => {
    const created = await ballast('tenants', 'create', 'acme', '--name', 'Acme', '--allow-model', 'sim-1', '--allow-prompt', 'support-answer', '--rps', '10', '--burst', '20', '--usd-per-day', '2.5', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ id: 'acme', name: 'Acme', allowedModels: ['sim-1'], allowedPrompts: ['support-answer'], quotas: { requestsPerSecond: 10, requestBurst: 20, usdPerDay: 2.5 } });
    expect((await ingress.tenants.findTenant('acme'))?.quotas).toEqual({ requestsPerSecond: 10, requestBurst: 20, usdPerDay: 2.5 });

    const listed = await ballast('tenants', 'list');
    expect(listed.out).toMatch(/tenant\s+name\s+models\s+prompts\s+limits/);
    expect(listed.out).toMatch(/acme\s+Acme\s+sim-1\s+support-answer\s+requestsPerSecond=10 requestBurst=20 usdPerDay=2.5/);

    const shown = await ballast('tenants', 'show', 'acme');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('prompts  support-answer');
    expect(shown.out).toContain('keys     none: npx ballast keys issue acme');
  });

  it('updates limits and prompts, clearing one limit and keeping the others', async () => {
    const { code, out } = await ballast('tenants', 'update', 'acme', '--rpm', '600', '--clear-limit', 'usdPerDay', '--all-prompts', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ allowedPrompts: null, quotas: { requestsPerSecond: 10, requestBurst: 20, requestsPerMinute: 600 } });
    expect(JSON.parse(out).quotas).not.toHaveProperty('usdPerDay');
  });

  it('answers --help, and one line for a wrong argument, an API error and a missing server', async () => {
    const help = await ballast('tenants', 'create', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--usd-per-day <usd>');
    expect(help.out).toContain('BALLAST_ADMIN_KEY');

    const wrong = await ballast('tenants', 'create', 'acme2', '--rpm', 'lots');
    expect(wrong.code).toBe(64);
    expect(wrong.err.trim().split('\n')).toHaveLength(1);
    expect(wrong.err).toMatch(/--rpm.*whole number/);

    const clash = await ballast('tenants', 'update', 'acme', '--clear-limit', 'requestsPerMinit');
    expect(clash.code).toBe(64);
    expect(clash.err).toMatch(/Expected one of requestsPerSecond/);

    const duplicate = await ballast('tenants', 'create', 'acme');
    expect(duplicate.code).toBe(1);
    expect(duplicate.err).toBe("ballast tenants create: 409 ballast.invalid_request: tenant 'acme' already exists: change it with PATCH /v1/admin/tenants/acme\n");

    const unknown = await ballast('tenants', 'show', 'nobody');
    expect(unknown.err).toMatch(/^ballast tenants show: 404 ballast.invalid_request: no tenant 'nobody'/);

    process.env['BALLAST_URL'] = 'http://127.0.0.1:1';
    try {
      const down = await ballast('tenants', 'list');
      expect(down.code).toBe(1);
      expect(down.err).toMatch(/^ballast tenants list: cannot reach the ingress at http:\/\/127.0.0.1:1 \(set BALLAST_URL\): .+\n$/);
    } finally {
      process.env['BALLAST_URL'] = ingress.url;
    }
    delete process.env['BALLAST_ADMIN_KEY'];
    try {
      expect((await ballast('tenants', 'list')).err).toBe('ballast tenants list: set BALLAST_ADMIN_KEY to the admin key of the running ingress\n');
    } finally {
      process.env['BALLAST_ADMIN_KEY'] = ADMIN_KEY;
    }
  });
});
