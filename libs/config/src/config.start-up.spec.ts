import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../test/service-main.fixture.mjs', import.meta.url));

/** Starts the fixture as a real process, with only the given variables set. */
function start(env: Record<string, string>) {
  const child = spawnSync(process.execPath, [fixture], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('a service process at start-up', () => {
  it('exits with 78 and names the bad variable on stderr', () => {
    const { status, stdout, stderr } = start({ BALLAST_MODE: 'distributed', KAFKA_BROKERS: 'nope', BALLAST_PORT: '99999' });

    expect(status).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).toContain('KAFKA_BROKERS: expected comma-separated host:port list (got "nope")');
    expect(stderr).toContain('BALLAST_PORT: expected a port number 0-65535 (got "99999")');
  });

  it('starts when the environment is good', () => {
    const { status, stdout } = start({ BALLAST_MODE: 'distributed', KAFKA_BROKERS: 'kafka:9092', PORT: '3000' });

    expect(status).toBe(0);
    expect(stdout).toBe('listening on 3000\n');
  });
});
