/**
 * `npm run bench:cache`: the semantic cache's quality on the public pair sets in `shared/datasets`
 * (or BALLAST_DATASETS_DIR) with the local embedder (or --embedder minilm), plain, with hit verification and
 * with verification minus its content-word rule, and what one embedding costs; then
 * look-up latency at 10k (or --entries n) entries per vector store, and a cross-scope probe.
 *
 *   npm run bench:cache                 everything (Qdrant only when QDRANT_URL or 127.0.0.1:6333 answers)
 *   npm run bench:cache -- --quality    quality tables only
 *   npm run bench:cache -- --latency    look-up latency only
 *   npm run bench:cache -- --latency --entries 100000    at 100k entries (default 10,000)
 *   npm run bench:cache -- --hit        end-to-end semantic hit in embedded mode only
 *   npm run bench:cache -- --quality --embedder minilm [--model-dir DIR]
 *                                       quality and embedding cost with all-MiniLM-L6-v2 (npm run cache:fetch-model first)
 */
import { resolve } from 'node:path';
import { benchEmbedder, embeddingCost, gptcachePairs, qqpPairs, runQualityBench, type EmbedderChoice, type QualityResult } from './quality.bench.js';
import { LocalEmbedder } from '../../services/cache/src/semantic/local.embedder.js';
import type { ThresholdRow } from '../../services/cache/src/semantic/calibration.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
  return value;
};

function fail(message: string): never {
  process.stderr.write(`bench:cache: ${message}\n`);
  process.exit(2);
}

const embedderChoice = (option('--embedder') ?? 'local') as EmbedderChoice;
if (!['local', 'minilm'].includes(embedderChoice)) fail(`--embedder must be local or minilm (got "${embedderChoice}")`);
const modelDir = resolve(option('--model-dir') ?? process.env.CACHE_EMBEDDER_MODEL_DIR ?? '.models/all-minilm-l6-v2');
const pct = (n: number) => `${(n * 100).toFixed(1)}%`;

export function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n### ${title}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
}

const cells = (r: ThresholdRow | null | undefined) => (r ? [pct(r.precision), pct(r.recall), pct(r.hitRate), String(r.falseHits)] : ['-', '-', '-', '-']);

function printQuality(q: QualityResult): void {
  const on = q.split ? 'held-out half' : 'all pairs';
  if (q.split) {
    const { dev, heldOut } = q.split;
    process.stdout.write(
      `\n${q.name}: split by question (no question in both halves; splitPairsByQuestion in services/cache/src/semantic/calibration.ts): development half ${dev.pairs} pairs (${dev.duplicates} duplicates), held-out half ${heldOut.pairs} pairs (${heldOut.duplicates} duplicates). Embedder, verifier and thresholds were chosen on the development half; the tables below score the held-out half.\n`,
    );
  }
  process.stdout.write(
    `${q.name}: embedder ${q.embedder}; CPU per pair: ${q.embedCpuMsPerPair.toFixed(3)} ms for two embeddings (batched), ${q.verifyCpuMsPerPair.toFixed(3)} ms for one verification\n`,
  );
  table(
    `${q.name}: ${q.embedder}, per threshold, ${on} (plain | with hit verification | verification without its content-word rule)`,
    ['threshold', 'precision', 'recall', 'hit rate', 'false hits', 'precision (verified)', 'recall (verified)', 'hit rate (verified)', 'false hits (verified)', 'precision (no content rule)', 'recall (no content rule)', 'hit rate (no content rule)', 'false hits (no content rule)'],
    q.plain.map((r, i) => [r.threshold.toFixed(3), ...cells(r), ...cells(q.verified[i]), ...cells(q.loose[i])]),
  );
  if (q.heldOut.length) {
    table(
      `${q.name}: ${q.embedder}, held out (threshold recommended on the development half for a target precision, as \`cache calibrate\` does; scored on the held-out half)`,
      ['target', '', 'threshold', 'precision (dev)', 'recall (dev)', 'precision', 'recall', 'hit rate', 'false hits'],
      q.heldOut.flatMap((h) => [
        [String(h.target), 'plain', h.plain.pick?.threshold.toFixed(3) ?? 'none', ...devCells(h.plain.pick), ...cells(h.plain.test)],
        [String(h.target), 'verified', h.verified.pick?.threshold.toFixed(3) ?? 'none', ...devCells(h.verified.pick), ...cells(h.verified.test)],
        [String(h.target), 'no content rule', h.loose.pick?.threshold.toFixed(3) ?? 'none', ...devCells(h.loose.pick), ...cells(h.loose.test)],
      ]),
    );
  }
  if (q.equalRecall.some((r) => r.plain.falseHits > 0)) {
    table(
      `${q.name}: false hits verification removes at equal recall, ${on}`,
      ['verified threshold', 'recall (verified)', 'false hits (verified)', 'plain threshold at that recall', 'recall (plain)', 'false hits (plain)', 'removed'],
      q.equalRecall.map((r) => [
        r.verified.threshold.toFixed(3),
        pct(r.verified.recall),
        String(r.verified.falseHits),
        r.plain.threshold.toFixed(3),
        pct(r.plain.recall),
        String(r.plain.falseHits),
        r.plain.falseHits ? pct(1 - r.verified.falseHits / r.plain.falseHits) : '-',
      ]),
    );
  }
}

const devCells = (r: ThresholdRow | null) => (r ? [pct(r.precision), pct(r.recall)] : ['-', '-']);

if (!args.includes('--latency') && !args.includes('--hit')) {
  const embedder = await benchEmbedder(embedderChoice, modelDir).catch((error: unknown) => fail((error as Error).message));
  printQuality(await runQualityBench('qqp-pairs-dev (hard negatives)', qqpPairs(), { split: true, embedder }));
  printQuality(await runQualityBench('gptcache-mock-pairs (all duplicates: precision is 100% by construction)', gptcachePairs(), { split: false, embedder }));
  // The bench's embedders have no embedding cache in front, so every call embeds.
  const texts = [...new Set(qqpPairs().map((p) => p.a))].slice(0, 300);
  const costs = embedderChoice === 'local' ? [embedder] : [new LocalEmbedder(), embedder];
  const rows = [];
  for (const e of costs) rows.push(await embeddingCost(e, texts));
  table(
    `embedding cost per text (${texts.length} QQP questions, one per call as a look-up embeds, then all in one call)`,
    ['embedder', 'p50', 'p99', 'CPU per text', 'CPU per text (batched)'],
    rows.map((r) => [r.embedder, `${r.p50Ms.toFixed(2)} ms`, `${r.p99Ms.toFixed(2)} ms`, `${r.cpuMsPerText.toFixed(2)} ms`, `${r.batchedCpuMsPerText.toFixed(2)} ms`]),
  );
}
if (!args.includes('--quality') && !args.includes('--hit')) {
  const { runLatencyBench } = await import('./latency.bench.js');
  await runLatencyBench(table);
}
if (!args.includes('--quality') && !args.includes('--latency')) {
  const { runEmbeddedHitBench } = await import('./embedded-hit.bench.js');
  await runEmbeddedHitBench(table, { embedder: embedderChoice, modelDir });
}
