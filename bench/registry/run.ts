/**
 * `npm run bench:registry`: how fast a label move reaches running ingress replicas, what a cached
 * prompt resolution costs, and `ballast eval run` throughput on gsm8k with the simulator.
 *
 *   BENCH_REGISTRY_MOVES (default 100)  label moves timed on two replicas
 *   BENCH_EVAL_CASES (default 300)      gsm8k cases per eval run (the whole set: 1319)
 *
 * The replicas are embedded mode's (in-process, in-memory bus): this measures the event path from
 * the use case to each replica's resolver cache, not Kafka's delivery latency.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PromptRegistryService, SUPPORT_ANSWER_PROMPT } from '#persistence';
import { runCli } from '../../apps/cli/src/program.js';
import { startEmbedded } from '../../apps/embedded/src/embedded.js';
import { PromptResolver } from '../../services/ingress/src/prompts/prompt.resolver.js';

const MOVES = Number(process.env['BENCH_REGISTRY_MOVES'] ?? 100);
const EVAL_CASES = Number(process.env['BENCH_EVAL_CASES'] ?? 300);
const RESOLUTIONS = 100_000;
const ROOT = join(import.meta.dirname, '../../..');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (n: number) => `${n.toFixed(3)} ms`;

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

async function replicas(dir: string): Promise<void> {
  const ballast = await startEmbedded({ port: 0, apiKey: 'bench-registry-key', dataDir: join(dir, 'replicas'), promptsDir: join(ROOT, 'prompts'), ingressReplicas: 2, env: { ...process.env, LOG_LEVEL: 'error' } });
  try {
    const ingress = ballast.apps.filter((app) => app.getHttpServer().listening);
    const resolvers = ingress.map((app) => app.get(PromptResolver));
    const registry = ingress[0]!.get(PromptRegistryService);
    const name = SUPPORT_ANSWER_PROMPT.name;
    const v2 = (await registry.publish({ ...SUPPORT_ANSWER_PROMPT, params: { ...SUPPORT_ANSWER_PROMPT.params, temperature: 0.3 } }, { actor: 'bench' })).version;
    const v1 = v2 - 1;
    const visible: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      const target = i % 2 === 0 ? v2 : v1;
      const started = performance.now();
      await registry.promote(name, { label: 'production', version: target, actor: 'bench', reason: 'bench', force: true });
      // Each replica answers from its cache until the registry event drops the entry.
      for (const resolver of resolvers) {
        while ((await resolver.resolve({ name }))?.version.version !== target) await new Promise((r) => setImmediate(r));
      }
      visible.push(performance.now() - started);
    }
    visible.sort((a, b) => a - b);

    const resolver = resolvers[0]!;
    await resolver.resolve({ name });
    const cached: number[] = [];
    for (let i = 0; i < RESOLUTIONS; i++) {
      const t = performance.now();
      await resolver.resolve({ name });
      cached.push(performance.now() - t);
    }
    cached.sort((a, b) => a - b);
    const uncached: number[] = [];
    for (let i = 0; i < 200; i++) {
      resolver.invalidate(name);
      const t = performance.now();
      await resolver.resolve({ name });
      uncached.push(performance.now() - t);
    }
    uncached.sort((a, b) => a - b);
    table(
      `label move → visible on 2 ingress replicas (embedded, in-memory bus; ${MOVES} moves)`,
      ['p50', 'p99', 'max'],
      [[ms(quantile(visible, 0.5)), ms(quantile(visible, 0.99)), ms(visible.at(-1)!)]],
    );
    table('prompt resolution on one replica (PGlite registry)', ['', 'p50', 'p99', 'n'], [
      ['cached', ms(quantile(cached, 0.5)), ms(quantile(cached, 0.99)), String(RESOLUTIONS)],
      ['uncached (after invalidate)', ms(quantile(uncached, 0.5)), ms(quantile(uncached, 0.99)), String(uncached.length)],
    ]);
  } finally {
    await ballast.stop();
  }
}

async function evalThroughput(dir: string): Promise<void> {
  if (!existsSync(join(ROOT, 'evals/gsm8k/gsm8k.jsonl'))) {
    await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/build-gsm8k-evals.mjs')]);
  }
  process.env['BALLAST_DATA_DIR'] = join(dir, 'evals');
  delete process.env['DATABASE_URL'];
  const captured: string[] = [];
  const io = { stdout: (t: string) => void captured.push(t), stderr: (t: string) => void captured.push(t) };
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (captured.push(String(chunk)), true)) as typeof process.stdout.write;
  const rows: string[][] = [];
  try {
    if ((await runCli(['prompts', 'push', join(ROOT, 'evals/gsm8k')], io)) !== 0) throw new Error(captured.join(''));
    for (const concurrency of [1, 8, 32]) {
      captured.length = 0;
      const started = performance.now();
      const code = await runCli(['eval', 'run', '--prompt', 'gsm8k@1', '--evals-dir', join(ROOT, 'evals'), '--sample', String(EVAL_CASES), '--concurrency', String(concurrency), '--json'], io);
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(captured.join(''));
      const report = JSON.parse(captured.join('')) as { cases: number; passed: number; seconds: number; meanLatencyMs: number };
      rows.push([String(concurrency), String(report.cases), `${report.passed}/${report.cases}`, `${(report.cases / report.seconds).toFixed(1)}`, `${report.meanLatencyMs.toFixed(0)} ms`, `${wall.toFixed(1)} s`]);
    }
  } finally {
    process.stdout.write = write;
  }
  table(
    'ballast eval run on gsm8k with the simulator (embedded; cases/s over the cases, total includes starting the stack and storing the run)',
    ['concurrency', 'cases', 'passed', 'cases/s', 'mean latency', 'total'],
    rows,
  );
}

const dir = await mkdtemp(join(tmpdir(), 'ballast-bench-registry-'));
try {
  process.stdout.write(`# bench:registry (${new Date().toISOString()})\n`);
  await replicas(dir);
  await evalThroughput(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
