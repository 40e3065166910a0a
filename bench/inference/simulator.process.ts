import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface SimulatorProcess {
  url: string;
  stop(): Promise<void>;
}

/**
 * `ballast simulate` in its own process, as an operator would run it, so the provider's work does
 * not share the event loop whose overhead is being measured.
 */
export async function startSimulatorProcess(root: string, args: string[]): Promise<SimulatorProcess> {
  const cli = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
  const child: ChildProcess = spawn(process.execPath, [cli, 'simulate', '--port', '0', '--host', '127.0.0.1', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code} before listening: ${out}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
