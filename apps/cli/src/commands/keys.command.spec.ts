import { jest } from '@jest/globals';
import { apiKeyHash } from '#persistence';
import { runCliCapturing as ballast } from '../../test/run-in-process.js';
import { startAdminIngress } from '../../test/admin-ingress.js';

jest.setTimeout(60_000);

const ADMIN_KEY = 'cli-admin-key-0123456789';

describe('ballast keys', () => {
  let ingress: Awaited<ReturnType<typeof startAdminIngress>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    ingress = await startAdminIngress(ADMIN_KEY);
    process.env['BALLAST_URL'] = ingress.url;
    process.env['BALLAST_ADMIN_KEY'] = ADMIN_KEY;
    await ingress.tenants.upsertTenant({ id: 'acme', name: 'Acme', allowedModels: ['sim-1'] });
  });
  afterAll(async () => {
    process.env = saved;
    await ingress?.close();
  });

  it('issues a key printed once on stdout, lists it by prefix only and revokes it so the ingress refuses it', async () => {
    const issued = await ballast('keys', 'issue', 'acme', '--label', 'ci');
    expect(issued.code).toBe(0);
    const key = issued.out.trim();
    expect(key).toMatch(/^bk_[0-9a-f]{48}$/);
    expect(issued.err).toMatch(/store it now, it is not shown again/);
    expect(ingress.tenants.storedKeyHashes()).toContain(apiKeyHash(key));
    const use = () => fetch(`${ingress.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect((await use()).status).toBe(200);

    const listed = await ballast('keys', 'list', 'acme', '--json');
    expect(listed.out).not.toContain(key.slice(6));
    const [record] = (JSON.parse(listed.out) as { keys: { id: string; prefix: string; label: string; revokedAt: string | null }[] }).keys;
    expect(record).toMatchObject({ prefix: key.slice(0, 6), label: 'ci', revokedAt: null });
    expect((await ballast('keys', 'list', 'acme')).out).toMatch(new RegExp(`${record!.id}\\s+${key.slice(0, 6)}…\\s+ci`));

    const revoked = await ballast('keys', 'revoke', record!.id);
    expect(revoked.code).toBe(0);
    expect(revoked.out).toMatch(new RegExp(`^revoked key ${record!.id} \\(${key.slice(0, 6)}…\\) of tenant acme at \\d{4}-`));
    expect((await use()).status).toBe(401);
    expect(JSON.parse((await ballast('keys', 'list', 'acme', '--json')).out).keys[0].revokedAt).toEqual(expect.any(String));
  });

  it('answers --help, and one line for a missing argument, an unknown tenant or key and a missing server', async () => {
    const help = await ballast('keys', 'issue', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('BALLAST_ADMIN_KEY');

    const missing = await ballast('keys', 'issue');
    expect(missing.code).toBe(64);
    expect(missing.err.trim().split('\n')).toHaveLength(1);

    const unknown = await ballast('keys', 'issue', 'nobody');
    expect(unknown).toMatchObject({ code: 1, err: expect.stringMatching(/^ballast keys issue: 404 ballast.invalid_request: no tenant 'nobody': create it with POST \/v1\/admin\/tenants\n$/) });
    expect((await ballast('keys', 'revoke', 'not-a-key')).err).toMatch(/^ballast keys revoke: 404 ballast.invalid_request: no key with id 'not-a-key'/);
    expect((await ballast('keys', 'frobnicate')).code).toBe(64);

    process.env['BALLAST_URL'] = 'http://127.0.0.1:1';
    try {
      const down = await ballast('keys', 'list', 'acme');
      expect(down.code).toBe(1);
      expect(down.err).toMatch(/^ballast keys list: cannot reach the ingress at http:\/\/127.0.0.1:1 \(set BALLAST_URL\)/);
    } finally {
      process.env['BALLAST_URL'] = ingress.url;
    }
  });
});
