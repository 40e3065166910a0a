// Runs the six services as separate processes from dist/ (the way `npm run stack:up` and a
// deployment do), for tests that need the real distributed mode: one Node process per service,
// the real Kafka broker and Postgres. Each process logs to its own file; a test can kill and
// restart one of them.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { secureKafkaFromEnv, serviceKafkaEnv } from './secure-kafka.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVICE_NAMES = ['metrics', 'judge', 'inference', 'cache', 'guardrail', 'ingress'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const run = promisify(execFile);

/** Node 24 from the project's devDependency (the machine's node may be older). */
export function nodeBinary(): string {
  const local = join(ROOT, 'node_modules', '.bin', 'node');
  return existsSync(local) ? local : process.execPath;
}

export function entryPoint(name: ServiceName): string {
  return join(ROOT, 'dist', 'services', name, 'src', 'main.js');
}

/**
 * Builds dist/ when it is missing or older than the sources (`bash scripts/stack.sh build`, which
 * tolerates type errors that only concern test files).
 */
export async function ensureBuilt(timeoutMs = 180_000): Promise<void> {
  try {
    await run('bash', [join(ROOT, 'scripts', 'stack.sh'), 'build'], { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`build failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: error });
  }
  for (const name of SERVICE_NAMES) {
    if (!existsSync(entryPoint(name))) throw new Error(`build produced no ${entryPoint(name)}`);
  }
}

/** Seeds tenant `demo` (API key), and the prompts in prompts/ with the compiled CLI (`ballast seed`). */
export async function seedDatabase(databaseUrl: string, apiKey = 'dev-key'): Promise<string> {
  try {
    const { stdout } = await run(nodeBinary(), [join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), 'seed'], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...childEnv(), DATABASE_URL: databaseUrl, BALLAST_API_KEY: apiKey },
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const where = databaseUrl.replace(/\/\/[^@/]*@/, '//***@');
    throw new Error(`seeding ${where} failed (is Postgres up? bash scripts/postgres.sh up): ${e.message}\n${e.stderr ?? ''}`, { cause: error });
  }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The parent's environment without what would change how a child Node process runs. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules
  delete env.BALLAST_PORT;
  delete env.PORT;
  return env;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Preloaded into every service (`--import`): when the test process is gone (killed, Ctrl-C, a
 * crash: the child is re-parented), the service stops itself, so no run leaves services behind
 * consuming the shared topics. SIGTERM first (graceful), exit after 10 s at the latest.
 */
const PARENT_WATCHDOG = `data:text/javascript,${encodeURIComponent(`
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.exit(1), 10000).unref();
}, 500);
timer.unref();
`)}`;

/** One service process. `start()` may be called again after it exited (a restart). */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  private expectExit = false;
  /** Set when the process ended without `kill()`/`stop()` asking for it. */
  unexpectedExit: string | null = null;
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.starts++;
    this.expectExit = false;
    this.unexpectedExit = null;
    const fd = openSync(this.logFile, 'a');
    writeSync(fd, `\n===== start #${this.starts} of ${this.name} at ${new Date().toISOString()} =====\n`);
    const args = ['--enable-source-maps', '--disable-warning=TimeoutNegativeWarning', '--import', PARENT_WATCHDOG, entryPoint(this.name)];
    const child = spawn(nodeBinary(), args, {
      cwd: ROOT,
      env: { ...childEnv(), ...this.env, BALLAST_PORT: String(this.port) },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.expectExit) this.unexpectedExit = `${this.name} (pid ${child.pid}) exited on its own: code ${code}, signal ${signal}`;
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        this.unexpectedExit = `${this.name} could not be spawned: ${error.message}`;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** Resolves once `GET /health/ready` answers 200; rejects early if the process exits. */
  async waitReady(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready:\n${this.tail(30)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.name} not ready on :${this.port} after ${timeoutMs} ms:\n${this.tail(30)}`);
      await sleep(200);
    }
  }

  /** Sends `signal` and resolves when the process is gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || !this.running) return;
    this.expectExit = true;
    this.child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (graceful: finish and commit in-flight work), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.child || !this.running) return;
    this.expectExit = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  tail(lines = 20): string {
    try {
      const text = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return text.slice(-lines).map((l) => `  [${this.name}] ${l}`).join('\n');
    } catch {
      return `  [${this.name}] (no log at ${this.logFile})`;
    }
  }
}

export interface DistributedStackOptions {
  brokers: string;
  databaseUrl: string;
  /** Unique per test run: Kafka client ids, the ingress replica (its own outcome consumer group). */
  runId: string;
  logDir: string;
  /** Extra environment per service, e.g. `{ inference: { SIMULATOR_TTFT_MS: '20' } }`. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  readyTimeoutMs?: number;
}

/** The six services as separate processes on free ports. */
export class DistributedStack {
  private readonly services = new Map<ServiceName, ServiceProcess>();

  private constructor(readonly options: DistributedStackOptions) {}

  static async start(options: DistributedStackOptions): Promise<DistributedStack> {
    const stack = new DistributedStack(options);
    mkdirSync(options.logDir, { recursive: true });
    const secure = secureKafkaFromEnv();
    for (const name of SERVICE_NAMES) {
      const env: Record<string, string> = {
        BALLAST_MODE: 'distributed',
        KAFKA_BROKERS: options.brokers,
        KAFKA_CLIENT_ID: `ballast-it-${options.runId}`,
        DATABASE_URL: options.databaseUrl,
        LOG_LEVEL: 'info',
        ...(name === 'ingress' ? { INGRESS_INSTANCE_ID: `it-${options.runId}` } : {}),
        // On the secure broker each service connects as its own principal.
        ...(secure ? serviceKafkaEnv(secure, name) : {}),
        ...(options.env?.[name] ?? {}),
      };
      stack.services.set(name, new ServiceProcess(name, await freePort(), env, join(options.logDir, `${name}.log`)));
    }
    try {
      // Downstream stages first (as the embedded runner and stack.sh do), then all become ready.
      for (const s of stack.services.values()) s.start();
      await Promise.all([...stack.services.values()].map((s) => s.waitReady(options.readyTimeoutMs)));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  service(name: ServiceName): ServiceProcess {
    return this.services.get(name)!;
  }

  /** Throws if a service died that nobody killed. */
  assertAlive(): void {
    for (const s of this.services.values()) {
      if (s.unexpectedExit) throw new Error(`${s.unexpectedExit}\n${s.tail(30)}`);
    }
  }

  tails(lines = 10): string {
    return [...this.services.values()].map((s) => s.tail(lines)).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.services.values()].map((s) => s.stop()));
  }
}
