import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { openRegistrySession } from '../prompts/registry-session.js';
import { runCliCapturing } from '../../test/run-in-process.js';

jest.setTimeout(120_000);

const REPO_PROMPTS = join(import.meta.dirname, '../../../../prompts');

/** Runs `ballast prompts ...` in-process on a fresh embedded data dir, capturing what a user sees. */
describe('ballast prompts on a fresh data dir', () => {
  let dir: string;
  let prompts: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-prompts-'));
    prompts = join(dir, 'prompts');
    await cp(REPO_PROMPTS, prompts, { recursive: true });
    for (const name of ['DATABASE_URL', 'KAFKA_BROKERS']) delete process.env[name];
    process.env['BALLAST_DATA_DIR'] = join(dir, 'data');
    process.env['BALLAST_ACTOR'] = 'ada';
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const ballast = runCliCapturing;

  it('has help for the group and every subcommand', async () => {
    const group = await ballast('prompts', '--help');
    expect(group.code).toBe(0);
    for (const sub of ['push', 'list', 'show', 'diff', 'promote', 'rollback', 'history']) {
      expect(group.out).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
      const help = await ballast('prompts', sub, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toContain('--json');
    }
  });

  /** What `ballast eval run` stores for a version with no regression (eval.command.spec.ts runs it for real). */
  async function passingEvalRun(name: string, versions: number[]): Promise<void> {
    const { TypeormEvalRunRepository } = await import('#persistence');
    const session = await openRegistrySession();
    try {
      const runs = new TypeormEvalRunRepository(session.dataSource);
      for (const promptVersion of versions) {
        await runs.save({ promptName: name, promptVersion, baselineVersion: null, model: 'sim-1', datasetHash: 'f'.repeat(64), cases: 1, passed: 1, errors: 0, baselinePassed: null, regressions: 0, tolerance: 0, assertionPassRates: {}, verdict: 'pass', target: 'embedded', actor: 'ada' }, []);
      }
    } finally {
      await session.close();
    }
  }

  it('pushes, promotes with a canary, finishes, rolls back and shows the history', async () => {
    const dry = await ballast('prompts', 'push', prompts, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/support-answer\s+v1\s+new version/);
    expect(dry.out).toContain('2 would be published');
    expect((await ballast('prompts', 'list')).out).toContain('no prompts yet');

    expect((await ballast('prompts', 'push', prompts)).out).toContain('2 published, 0 unchanged');
    const file = join(prompts, 'support-answer.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('temperature: 0', 'temperature: 0.2'));
    const pushed = JSON.parse((await ballast('prompts', 'push', prompts, '--json')).out) as { prompts: { name: string; version: number; status: string }[] };
    expect(pushed.prompts.map((p) => [p.name, p.version, p.status])).toEqual([
      ['extract-contact', 1, 'unchanged'],
      ['support-answer', 2, 'new'],
    ]);

    const diff = await ballast('prompts', 'diff', 'support-answer', '1', '2');
    expect(diff.out).toContain('- params.temperature: 0');
    expect(diff.out).toContain('+ params.temperature: 0.2');

    const refused = await ballast('prompts', 'promote', 'support-answer@1', '--label', 'production', '--reason', 'launch');
    expect(refused).toMatchObject({ code: 1, err: expect.stringMatching(/has not passed its promotion gate: no eval run/) });
    await passingEvalRun('support-answer', [1, 2]);
    const first = await ballast('prompts', 'promote', 'support-answer@1', '--label', 'production', '--reason', 'launch');
    expect(first).toMatchObject({ code: 0, out: expect.stringContaining('support-answer:production moved: v1; gate: passed') });
    expect(first.err).toContain('KAFKA_BROKERS is not set');
    expect((await ballast('prompts', 'promote', 'support-answer@2', '--label', 'production', '--canary', '10', '--reason', 'warmer')).code).toBe(0);
    const listed = JSON.parse((await ballast('prompts', 'list', '--json')).out) as { prompts: { name: string; canaries: unknown }[] };
    expect(listed.prompts.find((p) => p.name === 'support-answer')?.canaries).toEqual({ production: { version: 2, share: 0.1 } });
    expect((await ballast('prompts', 'show', 'support-answer')).out).toContain('canary: v2 gets 10% of requests');

    expect((await ballast('prompts', 'promote', 'support-answer', '--label', 'production', '--finish')).code).toBe(0);
    expect((await ballast('prompts', 'show', 'support-answer:production')).out).toMatch(/^support-answer v2 \(production\)/);
    expect((await ballast('prompts', 'rollback', 'support-answer', '--label', 'production', '--reason', 'too chatty')).out).toContain('rolled back: v2 -> v1');

    const history = await ballast('prompts', 'history', 'support-answer');
    expect(history.out).toMatch(/production\s+moved\s+-\s+v1\s+ada\s+launch/);
    expect(history.out).toMatch(/rolled back\s+v2\s+v1\s+ada\s+too chatty/);
    const events = JSON.parse((await ballast('prompts', 'history', 'support-answer', '--json')).out) as { events: { kind: string }[] };
    expect(events.events.map((e) => e.kind)).toEqual(['move', 'canary_start', 'canary_finish', 'rollback']);
  });

  it('fails with one line and a non-zero exit, never a stack trace', async () => {
    await writeFile(join(prompts, 'broken.yaml'), 'name: broken\nmodel: sim-1\ntemplate:\n  messages:\n    - role: robot\n      content: hi\n');
    const cases: [string[], number, RegExp][] = [
      [['prompts', 'push', prompts], 1, /broken\.yaml:5:13: template\.messages\.0\.role: /],
      [['prompts', 'promote', 'ghost@1', '--label', 'production'], 1, /prompt 'ghost' is not registered/],
      [['prompts', 'promote', 'support-answer', '--label', 'production'], 64, /names no version/],
      [['prompts', 'promote', 'support-answer@1', '--label', 'production', '--canary', '150'], 64, /percentage/],
      [['prompts', 'rollback', 'support-answer', '--label', 'production'], 1, /no earlier version/],
      [['prompts', 'diff', 'support-answer', '1', '9'], 1, /no version 9 \(latest is v2\)/],
      [['prompts', 'frobnicate'], 64, /unknown command 'frobnicate'/],
    ];
    for (const [args, code, message] of cases) {
      const run = await ballast(...args);
      expect({ args, code: run.code }).toEqual({ args, code });
      expect(run.err).toMatch(message);
      expect(run.err.trim().split('\n')).toHaveLength(1);
      expect(run.err).not.toMatch(/\n\s+at /);
    }
    await rm(join(prompts, 'broken.yaml'));
  });
});
