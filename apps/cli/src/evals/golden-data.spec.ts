import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEvalDataset, loadPromptFile, loadRubric } from '#persistence';

const ROOT = join(import.meta.dirname, '../../../..');

describe('shipped golden sets and rubrics', () => {
  it.each(['support-answer', 'extract-contact'])('%s has 10-20 cases that load, with rubrics that exist', async (prompt) => {
    const dataset = await loadEvalDataset(join(ROOT, 'evals'), prompt);
    expect(dataset.cases.length).toBeGreaterThanOrEqual(10);
    expect(dataset.cases.length).toBeLessThanOrEqual(20);
    expect(dataset.hash).toMatch(/^[0-9a-f]{64}$/);
    const rubrics = new Set(dataset.cases.flatMap((c) => c.expect.flatMap((a) => (a.type === 'judge' ? [a.rubric] : []))));
    for (const r of rubrics) expect((await loadRubric(join(ROOT, 'rubrics'), r)).name).toBe(r);
  });

  it('loads cases with variables, messages or both, and names a bad line by file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ballast-golden-'));
    try {
      await mkdir(join(dir, 'p'));
      const ok = [
        { id: 'v', variables: { q: 'hi' }, expect: [{ type: 'contains', value: 'x' }] },
        { messages: [{ role: 'user', content: 'and then?' }], expect: [{ type: 'blocked' }] },
        { variables: { q: 'hi' }, messages: [{ role: 'assistant', content: 'a' }], expect: [{ type: 'numeric', value: 3 }] },
      ];
      await writeFile(join(dir, 'p', 'a.jsonl'), `${ok.map((c) => JSON.stringify(c)).join('\n')}\n\n`);
      expect((await loadEvalDataset(dir, 'p')).cases.map((c) => c.id)).toEqual(['v', 'a.jsonl:2', 'a.jsonl:3']);
      await writeFile(join(dir, 'p', 'b.jsonl'), `${JSON.stringify({ expect: [{ type: 'contains', value: 'x' }] })}\n`);
      await expect(loadEvalDataset(dir, 'p')).rejects.toThrow(/^.*b\.jsonl:1: \(case\): give variables/);
      await writeFile(join(dir, 'p', 'b.jsonl'), `${JSON.stringify({ variables: {}, expect: [{ type: 'similar' }] })}\n`);
      await expect(loadEvalDataset(dir, 'p')).rejects.toThrow(/b\.jsonl:1: expect\.0\.reference: /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('every rubric file loads and names itself', async () => {
    const files = (await readdir(join(ROOT, 'rubrics'))).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect((await loadRubric(join(ROOT, 'rubrics'), f.replace(/\.yaml$/, ''))).criteria.length).toBeGreaterThan(0);
  });

  it('the gsm8k eval prompt is a valid prompt file', async () => {
    expect((await loadPromptFile(join(ROOT, 'evals/gsm8k/gsm8k.yaml'))).definition.name).toBe('gsm8k');
  });

  it('builds gsm8k cases with the exact number after #### from the source file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ballast-gsm8k-'));
    try {
      await mkdir(join(dir, 'gsm8k'));
      const out = join(dir, 'gsm8k', 'gsm8k.jsonl');
      const source = join(dir, 'source.jsonl');
      const rows = [{ question: 'Two plus two?', answer: 'It is <<2+2=4>>4.\n#### 4' }, { question: 'Big?', answer: 'x\n#### 1,250' }, { question: 'Owe?', answer: 'y\n#### -3' }];
      await writeFile(source, rows.map((r) => JSON.stringify(r)).join('\n'));
      await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build-gsm8k-evals.mjs'), '--source', source, '--out', out]);
      const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; variables: { question: string }; expect: { value: number }[] });
      expect(lines.map((l) => [l.id, l.variables.question, l.expect[0]!.value])).toEqual([
        ['gsm8k-test-0001', 'Two plus two?', 4],
        ['gsm8k-test-0002', 'Big?', 1250],
        ['gsm8k-test-0003', 'Owe?', -3],
      ]);
      const dataset = await loadEvalDataset(dir, 'gsm8k');
      expect(dataset.cases).toHaveLength(3);
      const bad = promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build-gsm8k-evals.mjs'), '--source', join(dir, 'missing.jsonl'), '--out', out]);
      await expect(bad).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^build-gsm8k-evals: cannot read .*missing\.jsonl: ENOENT/) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
