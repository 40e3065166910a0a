// DATABASE_TLS_CA_FILE on the real Postgres (scripts/postgres.sh: Debian's cluster serves TLS with the
// certificate in its ssl_cert_file, for CN/SAN localhost): the connection verifies the chain against
// the CA file and the host name against the certificate (verify-full), and is refused otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { createDataSource } from '#persistence';

jest.setTimeout(60_000);

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://ballast:ballast@127.0.0.1:5432/ballast_test';
const dir = mkdtempSync(join(tmpdir(), 'ballast-pg-tls-'));
let serverCertFile: string;

/** Connects with `tlsCaFile` and returns what the server says about the session's TLS, or the error. */
async function connect(url: string, tlsCaFile: string): Promise<{ ssl: boolean } | { refused: string }> {
  const ds = createDataSource({ url, tlsCaFile, poolSize: 1 });
  try {
    await ds.initialize();
    const [row] = (await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')) as { ssl: boolean }[];
    return { ssl: row!.ssl };
  } catch (error) {
    return { refused: (error as Error).message };
  } finally {
    if (ds.isInitialized) await ds.destroy();
  }
}

beforeAll(async () => {
  const ds = createDataSource({ url: DATABASE_URL, poolSize: 1 });
  await ds.initialize();
  try {
    const [{ ssl }] = (await ds.query('SHOW ssl')) as [{ ssl: string }];
    if (ssl !== 'on') throw new Error(`Postgres at ${DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')} serves no TLS (ssl=${ssl}); this spec needs Debian's default cluster (bash scripts/postgres.sh up)`);
    [{ ssl_cert_file: serverCertFile }] = (await ds.query('SHOW ssl_cert_file')) as [{ ssl_cert_file: string }];
  } finally {
    await ds.destroy();
  }
  // Another CA, which did not sign the server's certificate.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not-the-postgres-ca', '-keyout', join(dir, 'other.key'), '-out', join(dir, 'other-ca.crt')], { stdio: 'ignore' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('DATABASE_TLS_CA_FILE: TLS to Postgres with verify-full', () => {
  it('connects over TLS when the CA signed the server certificate and the host name matches it', async () => {
    expect(readFileSync(serverCertFile, 'utf8')).toContain('BEGIN CERTIFICATE');
    const url = new URL(DATABASE_URL);
    url.hostname = 'localhost';
    expect(await connect(url.toString(), serverCertFile)).toEqual({ ssl: true });
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const url = new URL(DATABASE_URL);
    url.hostname = 'localhost';
    const result = await connect(url.toString(), join(dir, 'other-ca.crt'));
    expect(result).toEqual({ refused: expect.stringMatching(/self.signed|unable to verify|certificate/i) });
  });

  it('refuses a host name the certificate does not name (127.0.0.1 for a localhost certificate)', async () => {
    const url = new URL(DATABASE_URL);
    url.hostname = '127.0.0.1';
    const result = await connect(url.toString(), serverCertFile);
    expect(result).toEqual({ refused: expect.stringMatching(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i) });
  });

  it("the URL form without DATABASE_TLS_CA_FILE (?sslmode=verify-full&sslrootcert=..., what the chart's migration Job can use) verifies the same way", async () => {
    const open = async (host: string, ca: string) => {
      const url = new URL(DATABASE_URL);
      url.hostname = host;
      url.searchParams.set('sslmode', 'verify-full');
      url.searchParams.set('sslrootcert', ca);
      const ds = createDataSource({ url: url.toString(), poolSize: 1 });
      try {
        await ds.initialize();
        return ((await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')) as [{ ssl: boolean }])[0];
      } catch (error) {
        return { refused: (error as Error).message };
      } finally {
        if (ds.isInitialized) await ds.destroy();
      }
    };
    expect(await open('localhost', serverCertFile)).toEqual({ ssl: true });
    expect(await open('localhost', join(dir, 'other-ca.crt'))).toEqual({ refused: expect.stringMatching(/self.signed|unable to verify|certificate/i) });
    expect(await open('127.0.0.1', serverCertFile)).toEqual({ refused: expect.stringMatching(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/i) });
  });

  it('an unreadable CA file is one line naming the variable and the path', () => {
    expect(() => createDataSource({ url: DATABASE_URL, tlsCaFile: join(dir, 'missing.crt') })).toThrow(`DATABASE_TLS_CA_FILE: cannot read ${join(dir, 'missing.crt')} (ENOENT)`);
  });
});
