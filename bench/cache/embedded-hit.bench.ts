import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { qqpPairs, type EmbedderChoice } from './quality.bench.js';

type Table = (title: string, header: string[], rows: string[][]) => void;

const API_KEY = 'ballast-bench-semantic';
// Within the demo tenant's 600 requests per minute.
const STORED = 100;
const WARM_UP = 20;
const HITS = 300;
const EXACT = 100;

/** The k-th spelling of a question that differs only in letter case: a new exact key and a new text to embed, the same words. */
function respelled(question: string, k: number): string {
  let i = 0;
  return question.replace(/\p{L}/gu, (c) => (((k >> i++ % 9) & 1) === 1 ? c.toUpperCase() : c.toLowerCase()));
}

/**
 * An end-to-end semantic hit in embedded mode, beside an exact hit for comparison: `POST /v1/requests?wait=true` over HTTP to embedded
 * Ballast in this process (in-memory semantic index over pgvector on PGlite, local embedder, hit verification), for questions
 * answered before under another spelling, so each one misses the exact layer and the embedding
 * cache, is embedded, searched, verified and served as `hit-semantic`. One request at a time.
 * CPU is this process's (the whole pipeline and the HTTP client both run here).
 */
export async function runEmbeddedHitBench(table: Table, options: { embedder: EmbedderChoice; modelDir: string } = { embedder: 'local', modelDir: '' }): Promise<void> {
  const { startEmbedded } = await import('../../apps/embedded/src/embedded.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'ballast-bench-semantic-'));
  // Each embedder at its held-out 0.90-precision setting (docs/cache.md, Measured).
  const semantic =
    options.embedder === 'minilm'
      ? { CACHE_EMBEDDER: 'minilm', CACHE_EMBEDDER_MODEL_DIR: options.modelDir, CACHE_VERIFIER: 'no-content-words', CACHE_SEMANTIC_THRESHOLD: '0.95' }
      : { CACHE_SEMANTIC_THRESHOLD: '0.9' };
  const env = { ...process.env, CACHE_DEFAULT_MODE: 'semantic', ...semantic, LOG_LEVEL: 'warn' };
  const ballast = await startEmbedded({ port: 0, apiKey: API_KEY, promptsDir: 'prompts', dataDir, env, simulator: { ttftMs: 0, tokensPerSecond: 0 } });
  try {
    const seen = new Set<string>();
    const questions = qqpPairs()
      .map((p) => p.a)
      // Lower case after the first letter: names would be PII the guardrail redacts differently per spelling.
      .filter((q) => q.length > 20 && q.length < 200 && !/\p{Lu}/u.test(q.slice(1)) && !seen.has(q.toLowerCase()) && seen.add(q.toLowerCase()))
      .slice(0, STORED);
    const ask = async (requestId: string, question: string) => {
      const res = await fetch(`${ballast.url}/v1/requests?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requestId, prompt: { name: 'support-answer' }, variables: { question } }),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`bench: POST /v1/requests answered ${res.status}: ${body.slice(0, 200)}`);
      return res.headers.get('x-ballast-cache');
    };
    const run = `${process.pid}-${Date.now()}`;
    for (const [i, q] of questions.entries()) await ask(`store-${run}-${i}`, q);
    // Warm-up: the first hits compile the code paths.
    for (let i = 0; i < WARM_UP; i += 1) await ask(`warm-${run}-${i}`, respelled(questions[i % questions.length]!, 1000 + i));
    const phase = async (id: string, name: string, count: number, question: (i: number) => string): Promise<string[]> => {
      const latencies: number[] = [];
      const outcomes = new Map<string, number>();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < count; i += 1) {
        const t0 = performance.now();
        const outcome = (await ask(`${id}-${run}-${i}`, question(i))) ?? 'none';
        latencies.push(performance.now() - t0);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      const cpu = process.cpuUsage(cpu0);
      latencies.sort((a, b) => a - b);
      const q = (p: number) => `${latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2)} ms`;
      return [name, [...outcomes].map(([k, n]) => `${k} ${n}`).join(', '), q(0.5), q(0.99), `${latencies.at(-1)!.toFixed(2)} ms`, `${((cpu.user + cpu.system) / 1000 / count).toFixed(2)} ms`];
    };
    const rows = [
      await phase('semantic', 'semantic hit (new spelling)', HITS, (i) => respelled(questions[i % questions.length]!, 1 + i)),
      await phase('exact', 'exact hit (same text again)', EXACT, (i) => questions[i % questions.length]!),
    ];
    table(
      `End-to-end cache hits in embedded mode (HTTP POST /v1/requests?wait=true, in-memory semantic index over pgvector on PGlite, embedder ${options.embedder}, threshold ${semantic.CACHE_SEMANTIC_THRESHOLD}, ${questions.length} entries in the scope, one request at a time)`,
      ['request', 'outcomes', 'p50', 'p99', 'max', 'CPU per request (this process: whole pipeline and the HTTP client)'],
      rows,
    );
  } finally {
    await ballast.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
