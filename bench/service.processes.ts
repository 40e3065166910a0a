import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The six services, downstream first (the order embedded mode starts them in). */
export const SERVICES = ['metrics', 'judge', 'inference', 'cache', 'guardrail', 'ingress'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServiceProcess {
  name: ServiceName;
  child: ChildProcess;
  port: number;
  logPath: string;
  /** Set once the process has exited. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null;
}

export function mainPath(root: string, name: ServiceName): string {
  return join(root, 'dist', 'services', name, 'src', 'main.js');
}

export function missingBuilds(root: string): string[] {
  return SERVICES.filter((s) => !existsSync(mainPath(root, s))).map((s) => mainPath(root, s));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SpawnOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  cpuProfileDir: string | null;
}

/** Starts one service as its own Node process, its output teed to `<logDir>/<name>.log`. */
export async function spawnService(name: ServiceName, o: SpawnOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const logPath = join(o.logDir, `${name}.log`);
  const log: WriteStream = createWriteStream(logPath);
  const profile = o.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfileDir, '--cpu-prof-name', `distributed-${name}.cpuprofile`] : [];
  // kafkajs 2.2 sets a negative timeout on Node 24; the warning is noise in the service logs.
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', ...profile, mainPath(o.root, name)], {
    cwd: o.root,
    env: { ...o.env, BALLAST_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: ServiceProcess = { name, child, port, logPath, exited: null };
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once('exit', (code, signal) => {
    proc.exited = { code, signal };
    log.end();
  });
  return proc;
}

/** Resolves when the service printed its `ready` line and answers `/health/ready`; rejects if it exits or times out. */
export async function waitReady(proc: ServiceProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let sawReady = false;
  const onData = (chunk: Buffer) => {
    if (chunk.toString('utf8').includes('"msg":"ready"')) sawReady = true;
  };
  proc.child.stdout!.on('data', onData);
  try {
    while (Date.now() < deadline) {
      if (proc.exited) throw new Error(`${proc.name} exited (code ${proc.exited.code ?? proc.exited.signal}) before it was ready: ${lastLines(proc.logPath, 3)}`);
      if (sawReady) {
        try {
          const res = await fetch(`http://127.0.0.1:${proc.port}/health/ready`, { signal: AbortSignal.timeout(1_000) });
          if (res.ok) return;
        } catch {
          // not answering yet
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000} s: ${lastLines(proc.logPath, 3)}`);
  } finally {
    proc.child.stdout!.off('data', onData);
  }
}

/**
 * SIGTERM (the services stop gracefully and leave their consumer groups), then SIGKILL whatever is
 * still running after `graceMs`. Returns the names that had to be killed: their group memberships
 * linger on the broker until the session times out.
 */
export async function stopServices(procs: readonly ServiceProcess[], graceMs = 15_000): Promise<string[]> {
  const running = procs.filter((p) => !p.exited && p.child.pid !== undefined);
  const exits = running.map((p) => new Promise<void>((resolve) => (p.exited ? resolve() : p.child.once('exit', () => resolve()))));
  for (const p of running) p.child.kill('SIGTERM');
  const killed: string[] = [];
  const timer = setTimeout(() => {
    for (const p of running) {
      if (p.exited) continue;
      killed.push(p.name);
      p.child.kill('SIGKILL');
    }
  }, graceMs);
  await Promise.all(exits);
  clearTimeout(timer);
  return killed;
}

/** The last `n` non-empty lines of a log, on one line, for an error message. */
export function lastLines(path: string, n: number): string {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
    return lines.slice(-n).join(' | ').slice(0, 600) || '(no output)';
  } catch {
    return '(no log)';
  }
}

/** Error and warning lines of a service log (JSON lines from pino and the Kafka transport), newest last. */
export function problemLines(path: string, n: number): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => /"level":"(error|fatal|warn)"|Error|error/.test(l))
      .slice(-n)
      .map((l) => l.slice(0, 400));
  } catch {
    return [];
  }
}
