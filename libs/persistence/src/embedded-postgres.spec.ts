import { jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, startEmbeddedPostgres } from './embedded-postgres.js';

jest.setTimeout(60_000);

describe('an embedded data dir is opened by one process at a time', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second open while the first is running, naming the process, and allows it after stop', async () => {
    const first = await startEmbeddedPostgres({ dataDir: dir });
    const second = await startEmbeddedPostgres({ dataDir: dir }).catch((error: unknown) => error);
    expect(second).toBeInstanceOf(DataDirInUseError);
    expect((second as Error).message).toContain(`in use by process ${process.pid}`);
    await first.stop();
    const again = await startEmbeddedPostgres({ dataDir: dir });
    await again.stop();
  });

  it('takes over a lock left by a process that is gone', async () => {
    await writeFile(join(dir, 'ballast.lock'), '4194303\n');
    const pg = await startEmbeddedPostgres({ dataDir: dir });
    await pg.stop();
  });
});
