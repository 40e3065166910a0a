import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
}

/** The CI example for prompt changes (.github/workflows/prompts.yml) parses and does what docs/prompts.md says. */
describe('.github/workflows/prompts.yml', () => {
  let workflow: { on: Record<string, { paths?: string[] }>; jobs: Record<string, { steps: Step[] }> };

  beforeAll(async () => {
    workflow = parse(await readFile(join(import.meta.dirname, '../.github/workflows/prompts.yml'), 'utf8')) as typeof workflow;
  });

  it('runs on a pull request that changes prompts/ or evals/', () => {
    expect(workflow.on['pull_request']?.paths).toEqual(expect.arrayContaining(['prompts/**', 'evals/**']));
  });

  it('pushes to the registry, runs the evals against production with a JUnit report, and uploads the reports', () => {
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npx ballast prompts push prompts/);
    expect(runs).toMatch(/npx ballast eval run --prompt "\$name@\$version" "\$\{baseline\[@\]\}"/);
    expect(runs).toContain('baseline=(--baseline production)');
    expect(runs).toContain('--junit "reports/$name.xml"');
    // A regression makes eval run exit 1, which the step passes on, failing the check.
    expect(runs).toContain('exit $status');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload).toMatchObject({ if: 'always()', with: { path: 'reports/*.xml' } });
  });
});
