import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCliCapturing } from '../../test/run-in-process.js';

jest.setTimeout(240_000);

/** A prompt whose simulated answer names its model, so v1 (sim-1) and v2 (sim-2) answer differently. */
const promptFile = (model: string) => `name: echo\nmodel: ${model}\ntemplate:\n  messages:\n    - role: user\n      content: "{{question}}"\npolicies:\n  cache:\n    enabled: false\n`;
const CASES = [
  { id: 'names-sim-1', variables: { question: 'Which model are you?' }, expect: [{ type: 'contains', value: 'asked of sim-1' }] },
  { id: 'is-simulated', variables: { question: 'Say something.' }, expect: [{ type: 'regex', pattern: '^Simulated answer' }] },
  { id: 'never-sim-3', variables: { question: 'And now?' }, expect: [{ type: 'not_contains', value: 'sim-3' }] },
];

/** Runs `ballast eval ...` and `ballast prompts ...` in-process on a fresh embedded data dir. */
describe('ballast eval run on a fresh data dir', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-eval-'));
    for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'BALLAST_API_KEY']) delete process.env[name];
    process.env['BALLAST_DATA_DIR'] = join(dir, 'data');
    process.env['BALLAST_ACTOR'] = 'ada';
    await mkdir(join(dir, 'v1'));
    await mkdir(join(dir, 'v2'));
    await mkdir(join(dir, 'evals', 'echo'), { recursive: true });
    await writeFile(join(dir, 'v1', 'echo.yaml'), promptFile('sim-1'));
    await writeFile(join(dir, 'v2', 'echo.yaml'), promptFile('sim-2'));
    await writeFile(join(dir, 'evals', 'echo', 'core.jsonl'), CASES.map((c) => JSON.stringify(c)).join('\n'));
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const ballast = runCliCapturing;
  const evalRun = (...args: string[]) => ballast('eval', 'run', '--evals-dir', join(dir, 'evals'), ...args);

  it('has help for the group and for run', async () => {
    const group = await ballast('eval', '--help');
    expect(group.code).toBe(0);
    expect(group.out).toMatch(/^ {2}run\b/m);
    const help = await ballast('eval', 'run', '--help');
    expect(help.code).toBe(0);
    for (const option of ['--prompt', '--baseline', '--sample', '--concurrency', '--json', '--junit', '--url', '--tolerance']) expect(help.out).toContain(option);
  });

  it('refuses wrong arguments with one line and exit 64', async () => {
    for (const [args, message] of [
      [['--prompt', 'echo'], /name@version/],
      [['--prompt', 'echo@1', '--tolerance', '2'], /share from 0 to 1/],
      [['--prompt', 'echo@1', '--url', 'ftp://x'], /http\(s\) URL/],
      [[], /--prompt/],
    ] as const) {
      const r = await evalRun(...args);
      expect(r).toMatchObject({ code: 64, out: '' });
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });

  it('stores runs, exits 1 when the candidate breaks a case the baseline passes and 0 when not, and gates promotion', async () => {
    expect((await ballast('prompts', 'push', join(dir, 'v1'))).code).toBe(0);
    expect((await ballast('prompts', 'push', join(dir, 'v2'))).code).toBe(0);

    // No eval run yet: the gate refuses, in one line, and a forced promotion needs a reason.
    const refused = await ballast('prompts', 'promote', 'echo@1', '--label', 'production');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^ballast prompts promote: version 1 of 'echo' has not passed its promotion gate: no eval run of 'echo' is stored: run ballast eval run --prompt echo@1/);
    expect(refused.err.trim().split('\n')).toHaveLength(1);

    const junit = join(dir, 'report.xml');
    const first = await evalRun('--prompt', 'echo@1', '--junit', junit);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/contains\s+100%/);
    expect(first.out).toContain('passed 3/3');
    expect(first.out).toContain('verdict: PASS');
    expect(await readFile(junit, 'utf8')).toMatch(/<testsuite name="echo@1" tests="3" failures="0" errors="0"/);
    expect((await ballast('prompts', 'promote', 'echo@1', '--label', 'production', '--reason', 'launch')).out).toContain('gate: passed');

    // v2 breaks names-sim-1, which production (v1) passes.
    const regression = await evalRun('--prompt', 'echo@2', '--baseline', 'production', '--junit', junit);
    expect(regression.code).toBe(1);
    expect(regression.out).toMatch(/contains\s+0%\s+100%/);
    expect(regression.out).toMatch(/verdict: REGRESSION: v2 breaks 1 case\(s\) v1 passes .*names-sim-1/);
    expect(await readFile(junit, 'utf8')).toMatch(/<testcase classname="echo@2" name="names-sim-1" time="[\d.]+"><failure message="contains: fail: &quot;asked of sim-1&quot; not found"/);
    const gated = await ballast('prompts', 'promote', 'echo@2', '--label', 'production');
    expect(gated).toMatchObject({ code: 1, err: expect.stringMatching(/found 1 regression/) });

    // With enough tolerance the same break is not a regression; the other way round nothing breaks.
    expect((await evalRun('--prompt', 'echo@2', '--baseline', '1', '--tolerance', '0.5')).code).toBe(0);
    const json = await evalRun('--prompt', 'echo@1', '--baseline', '2', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out) as { verdict: string; baselineVersion: number; passed: number; baselinePassed: number; regressions: string[]; results: unknown[] };
    expect(report).toMatchObject({ verdict: 'pass', baselineVersion: 2, passed: 3, baselinePassed: 2, regressions: [] });
    expect(report.results).toHaveLength(3);
    // v2 now has a passing run (tolerance 0.5) on the current golden set: the gate lets it through.
    expect((await ballast('prompts', 'promote', 'echo@2', '--label', 'production', '--reason', 'accepted')).out).toContain('gate: passed');
  });

  it('names an unknown prompt, a missing golden set and a missing server in one line with exit 1', async () => {
    const port = await closedPort();
    const cases = [
      [['--prompt', 'ghost@1'], /no golden set for 'ghost'/],
      [['--prompt', 'echo@9'], /echo has no version 9 \(latest is v2/],
      [['--prompt', 'echo@1', '--baseline', 'staging'], /baseline 'staging' of 'echo' does not exist/],
      [['--prompt', 'echo@1', '--url', `http://127.0.0.1:${port}`], new RegExp(`cannot reach Ballast at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`)],
    ] as const;
    for (const [args, message] of cases) {
      const r = await evalRun(...args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
