import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Profiles this process over the measured window only (not start-up or warm-up), so a
 * `.cpuprofile` shows where steady-state time goes. Open it in Chrome DevTools or speedscope.
 */
export class WindowProfiler {
  private session: Session | null = null;

  constructor(private readonly dir: string | null) {}

  async start(): Promise<void> {
    if (!this.dir) return;
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
  }

  /** Stops and writes `<dir>/<name>.cpuprofile`; returns the path, or null when profiling is off. */
  async stop(name: string): Promise<string | null> {
    if (!this.dir || !this.session) return null;
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    this.session = null;
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${name}.cpuprofile`);
    await writeFile(path, JSON.stringify(profile));
    return path;
  }
}
