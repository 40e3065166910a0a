// The built app as a real process (`npm start` runs the same file): start-up output, signals, a
// busy port. In-process tests cannot see exit codes, signal handling or what reaches the terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { waitUntil } from '#testing';
import { ROOT, ensureBuilt, freePort, nodeBinary } from '../../../test/support/distributed-stack.js';

jest.setTimeout(180_000);

const API_KEY = 'lifecycle-key-5f1e9a2c7b';
/** What `apiKeyPrefix` shows of it: a quarter of the key, at most six characters. */
const KEY_PREFIX = 'lifecy';
const MAIN = join(ROOT, 'dist', 'apps', 'embedded', 'src', 'main.js');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node dist/apps/embedded/src/main.js` with its own port and data directory; output kept for the test. */
class EmbeddedProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly url: string;
  private readonly child: ChildProcess;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'ballast-lifecycle-'));

  constructor(
    readonly port: number,
    env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
    const inherited = { ...process.env };
    for (const name of ['NODE_OPTIONS', 'BALLAST_PORT', 'PORT', 'LOG_LEVEL', 'BALLAST_API_KEY', 'BALLAST_DATA_DIR']) delete inherited[name];
    this.child = spawn(nodeBinary(), ['--enable-source-maps', MAIN], {
      cwd: ROOT,
      env: { ...inherited, BALLAST_PORT: String(port), BALLAST_DATA_DIR: this.dataDir, BALLAST_API_KEY: API_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => rmSync(this.dataDir, { recursive: true, force: true }));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the start-up banner is out (the app is listening by then); fails if the process ends first. */
  async started(): Promise<void> {
    await waitUntil(() => this.stdout.includes('OpenAI SDK:') || !this.running, 'the start-up banner', 120_000);
    if (!this.running) throw new Error(`exited before it started:\n${this.stdout}\n${this.stderr}`);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** stdout's JSON log lines. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

function ask(url: string, requestId: string, question: string) {
  return fetch(`${url}/v1/requests?wait=true`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ requestId, prompt: { name: 'support-answer' }, variables: { question } }),
  });
}

describe('the embedded app as a process', () => {
  const processes: EmbeddedProcess[] = [];
  const launch = async (env: Record<string, string> = {}) => {
    const app = new EmbeddedProcess(await freePort(), env);
    processes.push(app);
    return app;
  };

  beforeAll(() => ensureBuilt());
  afterAll(async () => {
    for (const app of processes) app.kill();
    await Promise.all(processes.map((app) => app.exited));
  });

  it('hardening 3: on SIGTERM, 50 requests in flight all complete with 200, readiness fails at once, new requests are refused, exit 0 with one stop line', async () => {
    const app = await launch({ SIMULATOR_TTFT_MS: '1500' });
    await app.started();

    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ready: true, checks: expect.any(Object) });

    const run = Date.now().toString(36);
    const ids = Array.from({ length: 50 }, (_, i) => `lifecycle-${run}-${i}`);
    let answered = 0;
    const answers = ids.map((id, i) =>
      ask(app.url, id, `Where is parcel number ${i}?`).then(async (res) => {
        answered++;
        return { status: res.status, body: (await res.json()) as { status?: string; error?: { code: string } } };
      }),
    );
    // In flight = accepted: the request ledger knows every one of them.
    const known = async (id: string) =>
      (await fetch(`${app.url}/v1/requests/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } })).status !== 404;
    for (let pending = ids; pending.length > 0; ) {
      const states = await Promise.all(pending.map(known));
      pending = pending.filter((_, i) => !states[i]);
    }
    expect(answered).toBe(0);

    app.signal('SIGTERM');
    let ready = 200;
    while (ready === 200) ready = (await fetch(`${app.url}/health/ready`)).status;
    expect(ready).toBe(503);
    const refused = await ask(app.url, `lifecycle-${run}-late`, 'Too late?');
    const stillOpen = 50 - answered;

    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'ballast.shutting_down' } });
    expect(stillOpen).toBeGreaterThan(0);
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(ids.map(() => 200));
    expect(results.every((r) => r.body.status === 'completed')).toBe(true);
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const stops = app.logLines().filter((line) => line.msg === 'stopped');
    expect(stops).toEqual([expect.objectContaining({ level: 'info', signal: 'SIGTERM', inFlight: 0, ms: expect.any(Number) })]);
    expect((stops[0]!.drained as { http: number }).http).toBeGreaterThanOrEqual(50);
  });

  it('hardening 3: prints a short banner last, with the key prefix only and a quoted curl URL; the key is never logged', async () => {
    const app = await launch();
    await app.started();

    const lines = app.stdout.trimEnd().split('\n');
    const banner = lines.slice(lines.findIndex((line) => line.startsWith('Ballast (embedded) is up')));
    expect(banner.at(-1)).toMatch(/^OpenAI SDK: /);
    expect(banner.length).toBeLessThanOrEqual(6);
    expect(banner.some((line) => line.startsWith('{'))).toBe(false);
    expect(app.stdout).toContain(`curl -s '${app.url}/v1/requests?wait=true'`);
    expect(app.stdout).toContain(`API key ${KEY_PREFIX}…`);
    expect(app.logLines().filter((line) => line.level === 'info' && ['RouterExplorer', 'RoutesResolver', 'InstanceLoader'].includes(String(line.context)))).toEqual([]);

    expect((await ask(app.url, `lifecycle-banner-${Date.now()}`, 'Hello?')).status).toBe(200);
    app.signal('SIGTERM');
    await app.exited;
    expect(app.stdout + app.stderr).not.toContain(API_KEY);
  });

  it('hardening 3: SIGINT (Ctrl-C) stops gracefully and exits 0 with the stop line', async () => {
    const app = await launch();
    await app.started();

    app.signal('SIGINT');

    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.logLines().filter((line) => line.msg === 'stopped')).toEqual([expect.objectContaining({ signal: 'SIGINT', inFlight: 0 })]);
  });

  it('hardening 3: a busy port is one line naming the port and BALLAST_PORT, and a non-zero exit', async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const app = new EmbeddedProcess(port);
      processes.push(app);

      const exit = await app.exited;

      expect(exit.code).not.toBe(0);
      expect(app.stderr).toBe(`Ballast: port ${port} is in use; set BALLAST_PORT to another port\n`);
      expect(app.stdout).toBe('');
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
