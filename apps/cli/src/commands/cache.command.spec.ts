import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runCli } from '../program.js';

const PAIRS = [
  { a: 'How do I reset my router password?', b: 'how can i reset the password of my router', duplicate: true },
  { a: 'Best cities to visit in Spain?', b: 'best city to visit in spain', duplicate: true },
  { a: 'What is the population of Norway?', b: 'What is the population of Sweden?', duplicate: false },
  { a: 'Is coffee good for health?', b: 'Is coffee not good for health?', duplicate: false },
  { a: 'How do I learn Python?', b: 'What is the capital of Australia?', duplicate: false },
];

describe('ballast cache calibrate', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ballast-cli-cache-'));
    await writeFile(join(dir, 'pairs.jsonl'), PAIRS.map((p) => JSON.stringify(p)).join('\n'));
    await writeFile(join(dir, 'bad.jsonl'), `${JSON.stringify(PAIRS[0])}\n{"a": "only a"}\n`);
    delete process.env['CACHE_EMBEDDINGS_URL'];
  });
  afterAll(async () => {
    process.env = saved;
    await rm(dir, { recursive: true, force: true });
  });

  async function ballast(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
    try {
      const code = await runCli(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
      return { code, out, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('prints one JSON object with the table per threshold and the recommended threshold', async () => {
    const { code, out } = await ballast('cache', 'calibrate', '--pairs', join(dir, 'pairs.jsonl'), '--target-precision', '0.9', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(out) as { embedder: string; pairs: number; table: { threshold: number; precision: number; recall: number }[]; recommendedThreshold: number };
    expect(result).toMatchObject({ embedder: 'ballast-local-ngram-v1', pairs: 5, verification: true });
    expect(result.table.length).toBeGreaterThan(10);
    const row = result.table.find((r) => r.threshold === result.recommendedThreshold)!;
    expect(row.precision).toBeGreaterThanOrEqual(0.9);
    expect(row.recall).toBeGreaterThan(0);
  });

  it('prints a table with a progress bar and the recommendation for people', async () => {
    const { code, out, err } = await ballast('cache', 'calibrate', '--pairs', join(dir, 'pairs.jsonl'), '--target-precision', '0.9');
    expect(code).toBe(0);
    expect(out).toMatch(/threshold\s+precision\s+recall\s+hit rate\s+false hits/);
    expect(out).toMatch(/recommended threshold: 0\.\d+/);
    expect(err).toContain('5/5 pairs');
  });

  it('names the line of a malformed pairs file, and a missing --pairs is a usage error', async () => {
    const bad = await ballast('cache', 'calibrate', '--pairs', join(dir, 'bad.jsonl'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/bad\.jsonl line 2 needs "a" and "b" strings and a boolean "duplicate"/);
    expect((await ballast('cache', 'calibrate')).code).toBe(64);
  });
});
